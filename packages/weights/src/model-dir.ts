import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensorsHeader, SafetensorsError, type SafetensorsLocation } from "@crucible/hub";
import type { LoraPair } from "./checkpoint.js";
import { WeightsError } from "./errors.js";

/** A local Hugging Face model directory, read lazily: config and tensor locations, never all the weights. */
export interface BaseModelDir {
  dir: string;
  config: Record<string, unknown>;
  /** Shard file names in order (from the index when there is one). */
  shards: string[];
  /** Tensor name → where its bytes are. */
  tensors: Map<string, SafetensorsLocation>;
  /** Names per shard, in file order. */
  shardTensors: Map<string, string[]>;
  /** True when there is no separate `lm_head.weight`: the output projection is the input embedding. */
  tied: boolean;
}

export const EMBED = "model.embed_tokens.weight";
export const LM_HEAD = "lm_head.weight";

/** Files copied verbatim from the base model into a merged model (tokenizer and generation settings). */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "tokenizer.model",
  "vocab.json",
  "merges.txt",
  "added_tokens.json",
  "chat_template.jinja",
  "chat_template.json",
  "generation_config.json",
];

function baseError(dir: string, detail: string): WeightsError {
  return new WeightsError(
    `base model ${dir}: ${detail}; pass --base <a local Hugging Face model directory> of the model the adapter was trained on`,
    "base_model",
  );
}

export function readBaseModelDir(dir: string): BaseModelDir {
  const cfgFile = join(dir, "config.json");
  if (!existsSync(cfgFile))
    throw baseError(dir, "config.json not found (not a Hugging Face model directory)");
  const config = JSON.parse(readFileSync(cfgFile, "utf8")) as Record<string, unknown>;
  const indexFile = join(dir, "model.safetensors.index.json");
  let shards: string[];
  if (existsSync(indexFile)) {
    const index = JSON.parse(readFileSync(indexFile, "utf8")) as { weight_map?: Record<string, string> };
    shards = [...new Set(Object.values(index.weight_map ?? {}))].sort();
  } else {
    shards = readdirSync(dir)
      .filter((f) => f.endsWith(".safetensors"))
      .sort();
  }
  if (shards.length === 0) throw baseError(dir, "no *.safetensors weights in it");
  const tensors = new Map<string, SafetensorsLocation>();
  const shardTensors = new Map<string, string[]>();
  for (const shard of shards) {
    let header: ReturnType<typeof readSafetensorsHeader>;
    try {
      header = readSafetensorsHeader(join(dir, shard));
    } catch (err) {
      if (err instanceof SafetensorsError) throw baseError(dir, err.message);
      throw err;
    }
    shardTensors.set(
      shard,
      header.tensors.map((t) => t.name),
    );
    for (const t of header.tensors) tensors.set(t.name, t);
  }
  return { dir, config, shards, tensors, shardTensors, tied: !tensors.has(LM_HEAD) };
}

/**
 * Checks that every LoRA pair fits the base weight it adapts (W is [out, in], A is [r, in], B is [out, r]); the
 * unembedding of a tied model adapts the embedding matrix's output use. Throws a `shape_mismatch` error naming
 * the first module that does not fit.
 */
export function checkAdapterFits(base: BaseModelDir, pairs: readonly LoraPair[]): void {
  for (const p of pairs) {
    let weight = `${p.module}.weight`;
    if (weight === LM_HEAD && base.tied) weight = EMBED;
    const w = base.tensors.get(weight);
    if (!w) {
      throw new WeightsError(
        `adapter module ${p.module} has no weight ${weight} in base model ${base.dir}; is --base the model the adapter was trained on?`,
        "shape_mismatch",
      );
    }
    const [out, inDim] = w.shape;
    if (w.shape.length !== 2 || p.aShape[1] !== inDim || p.bShape[0] !== out) {
      throw new WeightsError(
        `adapter module ${p.module}: lora_A ${JSON.stringify(p.aShape)} and lora_B ${JSON.stringify(p.bShape)} do not fit base weight ${weight} ${JSON.stringify(w.shape)} of ${base.dir} (need A [r, ${inDim}] and B [${out}, r]); is --base the model the adapter was trained on?`,
        "shape_mismatch",
      );
    }
  }
}
