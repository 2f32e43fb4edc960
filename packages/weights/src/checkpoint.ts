import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, SafetensorsError, toFloat32 } from "@crucible/hub";
import { WeightsError } from "./errors.js";

/** One LoRA-adapted linear layer: y = W x + (alpha / r) · B (A x). */
export interface LoraPair {
  /** Hugging Face module path of the adapted layer, e.g. `model.layers.0.self_attn.q_proj` or `lm_head`. */
  module: string;
  /** [r, in] row-major. */
  a: Float32Array;
  aShape: [number, number];
  /** [out, r] row-major. */
  b: Float32Array;
  bShape: [number, number];
}

export interface LoraCheckpoint {
  dir: string;
  rank: number;
  alpha: number;
  /** From adapter_config.json (`base_model_name_or_path`) or the local training state. */
  baseModel?: string;
  /** Sorted by module path. */
  pairs: LoraPair[];
  /** The adapter_config.json as found (empty for a local training state). */
  config: Record<string, unknown>;
}

export const ADAPTER_WEIGHTS = "adapter_model.safetensors";
export const ADAPTER_CONFIG = "adapter_config.json";
// The local store's own training-state layout (a checkpoint directory copied off a crucible-local server).
const LOCAL_STATE = "crucible_state.json";
const LOCAL_ADAPTER = "adapter.safetensors";

/**
 * Tensor key → (HF module path, A|B). Accepts the hosted archive layout
 * (`base_model.model.model.layers.N.<m>.lora_A.weight`, unembedding `base_model.model.model.unembed_tokens…`),
 * PEFT names (`base_model.model.lm_head…`) and bare engine names (`model.layers.N.<m>.lora_A.weight`).
 */
export function parseLoraKey(key: string): { module: string; which: "A" | "B" } | undefined {
  const m = /^(?:base_model\.model\.)?(.+)\.lora_(A|B)(?:\.default)?\.weight$/.exec(key);
  if (!m) return undefined;
  let module = m[1] as string;
  if (module === "model.unembed_tokens" || module === "unembed_tokens") module = "lm_head";
  return { module, which: m[2] as "A" | "B" };
}

function notCheckpoint(dir: string, detail: string): WeightsError {
  return new WeightsError(
    `${dir} is not a LoRA checkpoint: ${detail}. Expected ${ADAPTER_WEIGHTS} + ${ADAPTER_CONFIG} (a directory made by \`crucible weights download\`, an extracted Tinker archive, or a PEFT adapter)`,
    "not_checkpoint",
  );
}

function readJson(file: string, dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw notCheckpoint(dir, `${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** Reads a checkpoint directory's LoRA weights and hyper-parameters (small: adapters only, never the base). */
export function readCheckpoint(dir: string): LoraCheckpoint {
  if (!existsSync(dir)) throw notCheckpoint(dir, "the directory does not exist");
  let weightsFile: string;
  let config: Record<string, unknown>;
  let rank: unknown;
  let alpha: unknown;
  let baseModel: unknown;
  if (existsSync(join(dir, ADAPTER_WEIGHTS))) {
    weightsFile = join(dir, ADAPTER_WEIGHTS);
    if (!existsSync(join(dir, ADAPTER_CONFIG))) throw notCheckpoint(dir, `${ADAPTER_CONFIG} is missing`);
    config = readJson(join(dir, ADAPTER_CONFIG), dir);
    rank = config["r"];
    alpha = config["lora_alpha"];
    baseModel = config["base_model_name_or_path"];
  } else if (existsSync(join(dir, LOCAL_STATE)) && existsSync(join(dir, LOCAL_ADAPTER))) {
    weightsFile = join(dir, LOCAL_ADAPTER);
    const state = readJson(join(dir, LOCAL_STATE), dir);
    config = {};
    rank = (state["lora"] as { rank?: unknown } | undefined)?.rank;
    alpha = state["loraAlpha"];
    baseModel = state["baseModel"];
  } else {
    throw notCheckpoint(dir, `no ${ADAPTER_WEIGHTS} in it`);
  }
  for (const [key, v] of [
    ["r", rank],
    ["lora_alpha", alpha],
  ] as const) {
    if (typeof v !== "number" || !(v > 0))
      throw notCheckpoint(dir, `adapter config key ${key} is missing or not a positive number`);
  }
  let tensors: ReturnType<typeof readSafetensors>["tensors"];
  try {
    tensors = readSafetensors(weightsFile).tensors;
  } catch (err) {
    if (err instanceof SafetensorsError) throw notCheckpoint(dir, err.message);
    throw err;
  }
  const halves = new Map<string, { a?: (typeof tensors)[number]; b?: (typeof tensors)[number] }>();
  for (const t of tensors) {
    const k = parseLoraKey(t.name);
    if (!k)
      throw notCheckpoint(dir, `tensor ${t.name} is not a LoRA weight (…lora_A.weight / …lora_B.weight)`);
    const h = halves.get(k.module) ?? {};
    if (k.which === "A") h.a = t;
    else h.b = t;
    halves.set(k.module, h);
  }
  if (halves.size === 0) throw notCheckpoint(dir, "it holds no LoRA tensors");
  const pairs: LoraPair[] = [];
  for (const [module, { a, b }] of [...halves.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (!a || !b)
      throw notCheckpoint(dir, `module ${module} has lora_${a ? "A" : "B"} but not lora_${a ? "B" : "A"}`);
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== b.shape[1]) {
      throw notCheckpoint(
        dir,
        `module ${module}: lora_A ${JSON.stringify(a.shape)} and lora_B ${JSON.stringify(b.shape)} are not [r, in] and [out, r]`,
      );
    }
    pairs.push({
      module,
      a: toFloat32(a),
      aShape: a.shape as [number, number],
      b: toFloat32(b),
      bShape: b.shape as [number, number],
    });
  }
  return {
    dir,
    rank: rank as number,
    alpha: alpha as number,
    ...(typeof baseModel === "string" && baseModel !== "" ? { baseModel } : {}),
    pairs,
    config,
  };
}

/** The tinker:// path a downloaded checkpoint came from (from `crucible-download.json`), if known. */
export function sourceTinkerPath(dir: string): string | undefined {
  const file = join(dir, "crucible-download.json");
  if (!existsSync(file)) return undefined;
  const v = (JSON.parse(readFileSync(file, "utf8")) as { tinker_path?: unknown }).tinker_path;
  return typeof v === "string" ? v : undefined;
}

/** alpha / r: what multiplies B·A (not rsLoRA). */
export function loraScale(ckpt: Pick<LoraCheckpoint, "rank" | "alpha" | "config">): number {
  if (ckpt.config["use_rslora"] === true) return ckpt.alpha / Math.sqrt(ckpt.rank);
  return ckpt.alpha / ckpt.rank;
}
