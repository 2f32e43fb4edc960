import type { FamilyConfig, ModelFamily } from "./family.js";
import type { ConfigReader } from "./reader.js";
import { readRope } from "./rope.js";

/**
 * Llama, Qwen2 and Qwen3 (HF `LlamaForCausalLM`, `Qwen2ForCausalLM`, `Qwen3ForCausalLM`): pre-norm decoder with
 * RMSNorm, RoPE, GQA and a SwiGLU MLP. Qwen2 adds biases on q/k/v, Qwen3 an RMSNorm on q and k per head.
 */
export function readDecoderCore(c: ConfigReader) {
  const act = c.str("hidden_act", "silu");
  if (act !== "silu") c.fail("hidden_act", `${JSON.stringify(act)} is not supported (supported: silu)`);
  c.only("attention_dropout", 0, "the engine applies no dropout");
  const hidden = c.int("hidden_size");
  const heads = c.int("num_attention_heads");
  if (hidden % heads !== 0 && !c.has("head_dim"))
    c.fail(
      "head_dim",
      `missing, and hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`,
    );
  // HF: `getattr(config, "head_dim", None) or hidden_size // num_attention_heads`
  c.ignore("head_dim"); // null means "derive it"
  const headDim = c.has("head_dim") ? c.int("head_dim") : hidden / heads;
  const kvHeads = c.int("num_key_value_heads", heads);
  if (heads % kvHeads !== 0)
    c.fail("num_key_value_heads", `${kvHeads} does not divide num_attention_heads ${heads}`);
  const maxPositions = c.int("max_position_embeddings", 4096);
  const rope = readRope(c, { headDim, maxPositions, defaultTheta: 10000 });
  const layers = c.int("num_hidden_layers");
  return {
    hidden,
    heads,
    headDim,
    kvHeads,
    layers,
    maxPositions,
    rope,
    vocab: c.int("vocab_size"),
    rmsNormEps: c.num("rms_norm_eps", 1e-6),
    tied: c.bool("tie_word_embeddings", false), // false in LlamaConfig, Qwen2Config and Qwen3Config
  };
}

/** `layer_types`, when given, must say what the family computes for every layer (here: full attention). */
export function requireLayerTypes(c: ConfigReader, layers: number, allowed: string[]): string[] | undefined {
  if (!c.has("layer_types")) {
    c.ignore("layer_types");
    return undefined;
  }
  const lt = c.raw("layer_types");
  if (!Array.isArray(lt) || lt.length !== layers)
    c.fail("layer_types", `expected a list of ${layers} layer types, got ${JSON.stringify(lt)}`);
  lt.forEach((t, i) => {
    if (!allowed.includes(t as string))
      c.fail(`layer_types[${i}]`, `${JSON.stringify(t)} is not supported (supported: ${allowed.join(", ")})`);
  });
  return lt as string[];
}

/** Qwen's sliding-window keys only matter when `use_sliding_window` is on, which the engine does not run. */
export function refuseSlidingWindow(c: ConfigReader): void {
  c.only("use_sliding_window", false, "sliding-window attention is not implemented");
  c.ignore("sliding_window", "max_window_layers");
}

function parseDense(c: ConfigReader, modelType: string): FamilyConfig {
  const core = readDecoderCore(c);
  let qkvBias = false;
  let oBias = false;
  if (modelType === "qwen2") {
    qkvBias = true; // Qwen2Attention: q/k/v projections always carry a bias, o_proj none
  } else {
    // Llama's attention_bias puts a bias on all four projections; Qwen3's on q/k/v/o too (o_proj: same flag).
    qkvBias = oBias = c.bool("attention_bias", false);
  }
  if (modelType === "qwen2" || modelType === "qwen3") refuseSlidingWindow(c);
  if (modelType === "qwen2") c.only("use_mrope", false, "multimodal RoPE is not implemented"); // Qwen2.5 writes false
  if (modelType === "llama") {
    c.only("mlp_bias", false, "biased MLP projections are not implemented");
    c.ignore("pretraining_tp"); // split matmuls in old HF code; the same function
    // Nanotron-converted checkpoints (SmolLM): a marker, and the RoPE layout HF's Llama always uses (rotate_half).
    c.ignore("is_llama_config");
    c.only("rope_interleaved", false, "HF's Llama rotates halves, not interleaved pairs");
  }
  requireLayerTypes(c, core.layers, ["full_attention"]);
  const intermediate = c.int("intermediate_size");
  return {
    contextLength: core.rope.contextLength,
    native: {
      kind: "dense",
      hidden: core.hidden,
      layers: core.layers,
      heads: core.heads,
      kvHeads: core.kvHeads,
      headDim: core.headDim,
      intermediate,
      vocab: core.vocab,
      maxPositions: core.maxPositions,
      rmsNormEps: core.rmsNormEps,
      qkNorm: modelType === "qwen3",
      tied: core.tied,
      qkvBias,
      oBias,
      invFreq: core.rope.invFreq,
      ropeTheta: core.rope.theta,
      ropeAttentionScaling: core.rope.attentionScaling,
      ropeDynamicFactor: core.rope.dynamicFactor,
    },
  };
}

export const DENSE_FAMILY: ModelFamily = {
  modelTypes: ["llama", "qwen2", "qwen3"],
  parse: parseDense,
};
