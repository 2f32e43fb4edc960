// On-policy distillation prompts (cookbook distillation/datasets.py): a conversations .jsonl (first user message
// of each row), `deepmath` (every `question` of zwhe99/DeepMath-103K train, file order) or `tulu3` (first user
// message of allenai/tulu-3-sft-mixture train). Datasets are read client-side from the Hugging Face cache on every
// backend, never the network; a missing copy is a config error naming the dataset, the path and the fix.

import { readFileSync } from "node:fs";
import type { Row, RowSource } from "@crucible/env";
import { ConfigError } from "../cli/errors.js";
import { fetchHubDataset } from "../common/hub-inputs.js";

export const TULU3_REPO = "allenai/tulu-3-sft-mixture";

function firstUserMessage(row: Row): string | null {
  const messages = row["messages"];
  if (!Array.isArray(messages)) return null;
  const first = messages.find((m) => (m as { role?: unknown })?.role === "user") as
    | { content?: unknown }
    | undefined;
  return first && typeof first.content === "string" && first.content ? first.content : null;
}

/** Prompts of a conversations .jsonl: the first user message of each row (the cookbook's tulu3 prompts). */
export function promptsFromConversations(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const p = firstUserMessage(JSON.parse(line) as Row);
    if (p) out.push(p);
  }
  return out;
}

/** Where a named prompt set lives locally; throws a ConfigError (field `dataset`) when it is not there. */
export async function promptSource(dataset: "deepmath" | "tulu3"): Promise<RowSource> {
  const env = await import("@crucible/env");
  if (dataset === "deepmath") {
    try {
      return env.hfTrainSource(env.DEEPMATH);
    } catch (e) {
      if (e instanceof env.MissingDatasetError)
        throw new ConfigError(
          `dataset=deepmath: dataset ${e.dataset} not found locally (looked in ${e.expectedPath}); download it into the HF cache where the hub is reachable, or pass dataset=<conversations .jsonl>`,
          "dataset",
        );
      throw e;
    }
  }
  try {
    return { files: env.findHfCachedFiles({ repoId: TULU3_REPO, split: "train" }) };
  } catch {
    throw new ConfigError(
      `dataset=tulu3: dataset ${TULU3_REPO} not found locally (looked in ${env.hfHubCacheDir()}/datasets--${TULU3_REPO.replace("/", "--")}); download it into the HF cache where the hub is reachable, or pass dataset=<conversations .jsonl>`,
      "dataset",
    );
  }
}

/** The prompts of a resolved `dataset` value. */
export async function loadPrompts(dataset: string): Promise<string[]> {
  if (dataset.endsWith(".jsonl")) return promptsFromConversations(dataset);
  const env = await import("@crucible/env");
  const named = dataset === "tulu3" ? "tulu3" : "deepmath";
  await fetchHubDataset(named); // into the HF cache, where promptSource finds it
  const rows = await env.loadRows(await promptSource(named));
  if (dataset === "tulu3") return rows.map(firstUserMessage).filter((p): p is string => p !== null);
  return rows.map((r) => r[env.DEEPMATH.questionField]).filter((q): q is string => typeof q === "string");
}
