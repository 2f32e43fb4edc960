import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WeightsError } from "./errors.js";

/** Where an exported directory came from (written by `exportPeftAdapter` and `mergeAdapter`, read by the card). */
export const PROVENANCE = "crucible-provenance.json";

export interface Provenance {
  kind: "peft-adapter" | "merged";
  base_model: string;
  r: number;
  lora_alpha: number;
  tinker_path?: string;
  unembed?: "kept" | "dropped" | "merged" | "untied" | "none";
}

export interface ModelCardOptions {
  repoId: string;
  /** The run's log directory: config.json (the recipe config) and metrics.jsonl (one object per step). */
  logDir?: string;
  /** Recipe name for the reproduce command when config.json does not record it. */
  recipe?: string;
}

const NOT_REPRODUCED = new Set(["log_path", "behavior_if_log_dir_exists", "wandb_project", "wandb_name"]);

function flatten(obj: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The last value of every numeric metric in metrics.jsonl, with the step it was logged at. */
export function finalMetrics(file: string): { step: number | undefined; metrics: Record<string, number> } {
  const metrics: Record<string, number> = {};
  let step: number | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a torn last line of a killed run
    }
    if (typeof row["step"] === "number") step = row["step"];
    for (const [k, v] of Object.entries(row)) if (k !== "step" && typeof v === "number") metrics[k] = v;
  }
  return { step, metrics };
}

/**
 * A Hugging Face model card (README.md with YAML front matter) for an exported directory: base model, what the
 * files are, the recipe and data from the run's config.json, final metrics from metrics.jsonl (only numbers that
 * were logged; nothing is invented) and the command that reproduces the run.
 */
export function buildModelCard(dir: string, options: ModelCardOptions): string {
  const provFile = join(dir, PROVENANCE);
  if (!existsSync(provFile)) {
    throw new WeightsError(
      `${dir} has no ${PROVENANCE}: publish a directory made by \`crucible weights adapter\` or \`crucible weights merge\``,
      "publish",
    );
  }
  const prov = JSON.parse(readFileSync(provFile, "utf8")) as Provenance;
  const config =
    options.logDir && existsSync(join(options.logDir, "config.json"))
      ? (JSON.parse(readFileSync(join(options.logDir, "config.json"), "utf8")) as Record<string, unknown>)
      : undefined;
  if (options.logDir && !config)
    throw new WeightsError(`--log-dir ${options.logDir}: no config.json in it`, "publish");
  const metricsFile = options.logDir ? join(options.logDir, "metrics.jsonl") : undefined;
  const final = metricsFile && existsSync(metricsFile) ? finalMetrics(metricsFile) : undefined;
  const recipe = (typeof config?.["recipe"] === "string" ? config["recipe"] : undefined) ?? options.recipe;
  const flat = config ? flatten(config).filter(([k]) => !NOT_REPRODUCED.has(k) && k !== "recipe") : [];
  const data = flat.filter(([k, v]) => /data|dataset|file|split/i.test(k) && v !== null && v !== "");

  const lines = [
    "---",
    `base_model: ${prov.base_model}`,
    ...(prov.kind === "peft-adapter" ? ["library_name: peft"] : ["library_name: transformers"]),
    "tags:",
    "- crucible",
    "- tinker",
    "- lora",
    "---",
    "",
    `# ${options.repoId}`,
    "",
    prov.kind === "merged"
      ? `A full model: \`${prov.base_model}\` with a LoRA adapter (r=${prov.r}, alpha=${prov.lora_alpha}) merged into its weights by \`crucible weights merge\`.${prov.unembed === "untied" ? " The adapter trained the unembedding of a model with tied embeddings, so `lm_head` is stored apart from the input embedding (`tie_word_embeddings: false`)." : ""}`
      : `A PEFT LoRA adapter (r=${prov.r}, alpha=${prov.lora_alpha}) for \`${prov.base_model}\`, exported by \`crucible weights adapter\`.${prov.unembed === "kept" ? " It includes a LoRA on `lm_head` (exact in PEFT/transformers; vLLM and SGLang cannot load it)." : ""}`,
    "",
    ...(prov.tinker_path ? [`Trained with Tinker; checkpoint \`${prov.tinker_path}\`.`, ""] : []),
    "## Training",
    "",
    `- Recipe: ${recipe ?? "(not recorded)"}`,
    `- Data: ${data.length ? data.map(([k, v]) => `\`${k}=${String(v)}\``).join(", ") : "(not recorded)"}`,
    "",
  ];
  if (final && Object.keys(final.metrics).length > 0) {
    lines.push(
      `## Final metrics${final.step !== undefined ? ` (step ${final.step})` : ""}`,
      "",
      "| metric | value |",
      "| --- | --- |",
    );
    for (const [k, v] of Object.entries(final.metrics).sort(([a], [b]) => (a < b ? -1 : 1)))
      lines.push(`| ${k} | ${v} |`);
    lines.push("");
  }
  if (config) {
    const args = flat
      .filter(([, v]) => v !== null && typeof v !== "object")
      .map(([k, v]) => shellQuote(`${k}=${String(v)}`));
    lines.push(
      "## Reproduce",
      "",
      "```sh",
      `crucible run ${recipe ?? "<recipe>"} ${args.join(" ")}`.trim(),
      "```",
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
