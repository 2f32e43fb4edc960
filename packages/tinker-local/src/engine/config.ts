import { MODEL_FAMILIES } from "./config/families.js";
import { ConfigReader, type Json, ModelConfigError } from "./config/reader.js";
import { readRope } from "./config/rope.js";
import type { NativeModelConfig } from "./native.js";

export { ModelConfigError } from "./config/reader.js";
export type { RopeSpec } from "./config/rope.js";

export interface ParsedModelConfig {
  /** `model_type` of the text model that runs (`llama`, `qwen3`, …). */
  architecture: string;
  native: NativeModelConfig;
  /** Longest sequence (prompt + sampled tokens) the model runs. */
  contextLength: number;
  eosTokenIds: number[];
  bosTokenId?: number;
  /** Tensor-name prefix of the text model inside a multimodal checkpoint (loaded as `model.`); absent otherwise. */
  weightPrefix?: string;
}

function supported(): string {
  const types = MODEL_FAMILIES.flatMap((f) => [...f.modelTypes, ...Object.keys(f.wrappers ?? {})]);
  return types.join(", ");
}

function tokenIds(v: unknown): number[] | undefined {
  if (Array.isArray(v) && v.every((x) => Number.isInteger(x))) return v as number[];
  if (Number.isInteger(v)) return [v as number];
  return undefined;
}

/**
 * Reads a Hugging Face config.json: a decoder config of a supported family, or a multimodal wrapper whose
 * `text_config` is one. Keys that would change the computation and are not understood are errors, never defaults.
 */
export function parseModelConfig(json: Json): ParsedModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new ModelConfigError("(root)", "expected a JSON object");
  const top = new ConfigReader(json);
  const modelType = top.str("model_type", "");
  const direct = MODEL_FAMILIES.find((f) => f.modelTypes.includes(modelType));
  if (direct) {
    const fc = direct.parse(top, modelType);
    const eos = tokenIds(top.raw("eos_token_id"));
    top.finish(`model_type ${JSON.stringify(modelType)}`);
    return {
      architecture: modelType,
      ...fc,
      eosTokenIds: eos ?? [],
      bosTokenId: typeof json.bos_token_id === "number" ? json.bos_token_id : undefined,
    };
  }
  const wrapping = MODEL_FAMILIES.find((f) => f.wrappers?.[modelType]);
  const wrapper = wrapping?.wrappers?.[modelType];
  if (!wrapping || !wrapper) {
    throw new ModelConfigError(
      "model_type",
      `${JSON.stringify(modelType)} is not supported (supported: ${supported()})`,
    );
  }
  const tc = json.text_config;
  if (typeof tc !== "object" || tc === null || Array.isArray(tc))
    throw new ModelConfigError("text_config", `a ${modelType} config needs its text model's config here`);
  const text = { ...(tc as Json) };
  // Wrappers keep tie_word_embeddings at the top; the text config may repeat it, but must not contradict it.
  if (json.tie_word_embeddings !== undefined) {
    if (text.tie_word_embeddings !== undefined && text.tie_word_embeddings !== json.tie_word_embeddings)
      throw new ModelConfigError(
        "tie_word_embeddings",
        `${json.tie_word_embeddings} contradicts text_config.tie_word_embeddings = ${text.tie_word_embeddings}`,
      );
    text.tie_word_embeddings = json.tie_word_embeddings;
  }
  const tr = new ConfigReader(text, "text_config.");
  const textType = tr.str("model_type");
  if (!wrapper.textModelTypes.includes(textType))
    tr.fail("model_type", `${JSON.stringify(textType)} is not the text model of ${modelType}`);
  const fc = wrapping.parse(tr, textType);
  tr.ignore("eos_token_id");
  tr.finish(`model_type ${JSON.stringify(textType)}`);
  return {
    architecture: textType,
    ...fc,
    eosTokenIds: tokenIds(text.eos_token_id) ?? tokenIds(json.eos_token_id) ?? [],
    bosTokenId: [text.bos_token_id, json.bos_token_id].find((v): v is number => typeof v === "number"),
    weightPrefix: wrapper.weightPrefix,
  };
}

/** RoPE inverse frequencies as HF computes them, for a head of `headDim` and optional `rope_scaling` parameters. */
export function ropeInvFreq(headDim: number, theta: number, scaling?: Json | null): Float32Array {
  const c = new ConfigReader({ rope_theta: theta, rope_scaling: scaling ?? null });
  return readRope(c, { headDim, maxPositions: 1 << 20, defaultTheta: 10000 }).invFreq;
}
