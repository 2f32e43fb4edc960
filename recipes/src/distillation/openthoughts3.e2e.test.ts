// Off-policy distillation with dataset=openthoughts3 builds the streaming OpenThoughts3 dataset (not NoRobots) and
// trains on it: a small OpenThoughts3-format snapshot (`conversations` of {from, value}, plus the real dataset's
// other columns) sits in a temporary Hugging Face cache laid out as huggingface_hub writes it, the hub is offline,
// and the embedded backend runs two steps. The built datums are compared with values derived by hand below.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Datum, ModelInput } from "@crucible/tinker-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRecipeConfig } from "../cli/run-recipe.js";
import { type SupervisedRecipeConfig, slDatasetBuilder } from "../common/run-supervised.js";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";
import { distillation } from "./config.js";

const REPO_DIR = "datasets--open-thoughts--OpenThoughts3-1.2M";
const ot3Row = (q: string, a: string) => ({
  difficulty: 1,
  source: "fixture",
  domain: "math",
  conversations: [
    { from: "human", value: q },
    { from: "gpt", value: a },
  ],
});
const ROWS = [
  ot3Row("What is 2+3?", "<think>\nAdd them.\n</think>\n\n2+3=5"),
  ot3Row("What is 4+4?", "<think>\nDouble 4.\n</think>\n\n8"),
  ot3Row("Name a prime.", "<think>\nSmallest one.\n</think>\n\n2"),
  ot3Row("Is 9 odd?", "<think>\n9 = 2*4+1.\n</think>\n\nYes"),
];

/*
 * Row 0 by hand, following the cookbook: OpenThoughts3Builder maps `from == "human"` → user, anything else →
 * assistant, then conversation_to_datum(messages, renderer, max_length, ALL_ASSISTANT_MESSAGES, reduction="mean").
 * On the local backend the tiny Qwen3 model renders with role_colon (spec §A2.3): each message is `Role:` then
 * ` content\n\n`, each piece encoded on its own with the Qwen3 tokenizer (no BOS), and an example ending in an
 * assistant message also trains the `User:` that follows it (the stop sequence). Qwen3 token ids of the pieces:
 *   "User:"                                   → 1474 25                                   weight 0
 *   " What is 2+3?\n\n"                       → 3555 374 220 17 10 18 1939                weight 0
 *   "Assistant:"                              → 71703 25                                  weight 0
 *   " <think>\nAdd them.\n</think>\n\n2+3=5\n\n" → 220 151667 198 2212 1105 624 151668 271
 *                                               17 10 18 28 20 271                        weight 1
 *   "User:"                                   → 1474 25                                   weight 1
 * The datum shifts by one: input = tokens[:-1], target_tokens = tokens[1:], weights = w[1:] (10 zeros, 16 ones),
 * and "mean" divides the weights by their sum (16): 1/16 = 0.0625.
 */
const ROW0_TOKENS = [
  1474, 25, 3555, 374, 220, 17, 10, 18, 1939, 71703, 25, 220, 151667, 198, 2212, 1105, 624, 151668, 271, 17,
  10, 18, 28, 20, 271, 1474, 25,
];
const ROW0_WEIGHTS = [...Array(10).fill(0), ...Array(16).fill(1 / 16)];

const dir = e2eDir("ot3");
const saved = { ...process.env };
beforeAll(() => {
  const cache = mkdtempSync(join(tmpdir(), "ot3-cache-"));
  const repo = join(cache, REPO_DIR);
  mkdirSync(join(repo, "snapshots", "0", "data"), { recursive: true });
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), "0"); // as huggingface_hub writes it: refs/main names the snapshot
  writeFileSync(
    join(repo, "snapshots", "0", "data", "train-00000-of-00001.jsonl"),
    `${ROWS.map((r) => JSON.stringify(r)).join("\n")}\n`,
  );
  Object.assign(process.env, { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" });
});
afterAll(() => {
  rmSync(process.env["HF_HUB_CACHE"]!, { recursive: true, force: true });
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

const ints = (d: Datum, k: string) => Array.from(d.lossFnInputs[k]!.data as ArrayLike<number>);
const ARGS = [
  "mode=off_policy",
  "dataset=openthoughts3",
  "backend=local",
  "batch_size=2",
  "buffer_size=4",
  "max_prompts=4",
  "max_length=64",
];

describe("off-policy distillation on OpenThoughts3 (HF cache, offline, local backend)", () => {
  it("builds OpenThoughts3 datums that match the cookbook's by hand, and trains two steps on them", {
    timeout: 120_000,
  }, async () => {
    const cfg = (await resolveRecipeConfig(distillation, ARGS)) as unknown as SupervisedRecipeConfig;
    const builder = await slDatasetBuilder({ ...cfg, train_on_what: "all_assistant_messages" });
    expect(builder.constructor.name).toBe("OpenThoughts3Builder");
    const { train, test } = await builder.build();
    expect(test).toBeUndefined();
    expect(train.length).toBe(2);
    train.setEpoch(0);
    const batches = [await train.getBatch(0), await train.getBatch(1)];
    const datums = batches.flat();
    expect(datums).toHaveLength(4);
    const targets = datums.map((d) => ints(d, "target_tokens"));
    const row0 = targets.findIndex((t) => t.join() === ROW0_TOKENS.slice(1).join());
    expect(row0).toBeGreaterThanOrEqual(0);
    const d0 = datums[row0]!;
    expect(d0.modelInput.chunks.flatMap((c) => ("tokens" in c ? c.tokens : []))).toEqual(
      ROW0_TOKENS.slice(0, -1),
    );
    expect(ints(d0, "weights")).toEqual(ROW0_WEIGHTS);
    // every fixture row once per epoch, each ending in its answer + the trained "User:"
    for (const t of targets) expect(t.slice(-2)).toEqual([1474, 25]);
    expect(new Set(targets.map((t) => t.join())).size).toBe(4);

    const log = join(dir, "run");
    const r = await crucible([
      "run",
      "distillation",
      ...ARGS,
      "max_steps=2",
      "lora_rank=4",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const logged = JSON.parse(readFileSync(join(log, "config.json"), "utf8")) as Record<string, unknown>;
    expect(logged["datasetBuilder"]).toBe("OpenThoughts3Builder");
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    // the run trained on the same two batches (same shuffle seed), token for token
    rows.forEach((m, i) => {
      expect(m["num_sequences"]).toBe(2);
      expect(m["num_tokens"]).toBe(batches[i]!.reduce((n, d) => n + ModelInput.length(d.modelInput), 0));
    });
  });
});
