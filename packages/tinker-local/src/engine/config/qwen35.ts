import type { FamilyConfig, ModelFamily } from "./family.js";
import type { ConfigReader } from "./reader.js";
import { readRope } from "./rope.js";

/**
 * Qwen3.5 text models: `qwen3_5_text` (Qwen3_5ForCausalLM) and the text part of the multimodal `qwen3_5`
 * (Qwen3_5ForConditionalGeneration, weights under `model.language_model.`): Gated DeltaNet linear-attention layers
 * and gated full-attention layers chosen by `layer_types` (native/src/qwen35.cc). Defaults are those of HF's
 * Qwen3_5TextConfig: head_dim 256, linear key/value heads 16/32 of 128 dims, conv kernel 4, partial_rotary_factor
 * 0.25, layer_types from full_attention_interval 4 (every 4th layer full attention), max positions 32768.
 */
function parseQwen35(c: ConfigReader): FamilyConfig {
  const act = c.str("hidden_act", "silu");
  if (act !== "silu") c.fail("hidden_act", `${JSON.stringify(act)} is not supported (supported: silu)`);
  c.only("attention_dropout", 0, "the engine applies no dropout");
  c.only("attention_bias", false, "biased attention projections are not implemented for qwen3_5");
  c.only("attn_output_gate", true, "Qwen3.5 attention always has its sigmoid output gate");
  // The multi-token-prediction head (mtp.*) is not part of the forward pass; the engine keeps its recurrent state
  // in float32 whatever mamba_ssm_dtype asks for.
  c.ignore("mtp_num_hidden_layers", "mtp_use_dedicated_embeddings", "mamba_ssm_dtype");
  const hidden = c.int("hidden_size");
  const heads = c.int("num_attention_heads");
  const kvHeads = c.int("num_key_value_heads", heads);
  if (heads % kvHeads !== 0)
    c.fail("num_key_value_heads", `${kvHeads} does not divide num_attention_heads ${heads}`);
  const headDim = c.int("head_dim", 256);
  const layers = c.int("num_hidden_layers");
  const maxPositions = c.int("max_position_embeddings", 32768);
  const rope = readRope(c, {
    headDim,
    maxPositions,
    defaultTheta: 10000,
    defaultPartialRotaryFactor: 0.25,
    // M-RoPE splits positions over (text, height, width) grids; text tokens sit at the same position on all
    // three, so the split does not change a text-only forward pass.
    inertParams: ["mrope_section", "mrope_interleaved"],
  });
  const kHeads = c.int("linear_num_key_heads", 16);
  const vHeads = c.int("linear_num_value_heads", 32);
  if (vHeads % kHeads !== 0)
    c.fail("linear_num_value_heads", `${vHeads} is not a multiple of linear_num_key_heads ${kHeads}`);
  return {
    contextLength: rope.contextLength,
    native: {
      kind: "qwen3_5",
      hidden,
      layers,
      heads,
      kvHeads,
      headDim,
      intermediate: c.int("intermediate_size"),
      vocab: c.int("vocab_size"),
      maxPositions,
      rmsNormEps: c.num("rms_norm_eps", 1e-6),
      qkNorm: true,
      tied: c.bool("tie_word_embeddings", false),
      qkvBias: false,
      oBias: false,
      invFreq: rope.invFreq,
      ropeTheta: rope.theta,
      ropeAttentionScaling: rope.attentionScaling,
      ropeDynamicFactor: rope.dynamicFactor,
      hybrid: {
        layerTypes: readLayerTypes(c, layers),
        kHeads,
        vHeads,
        kDim: c.int("linear_key_head_dim", 128),
        vDim: c.int("linear_value_head_dim", 128),
        convKernel: c.int("linear_conv_kernel_dim", 4),
      },
    },
  };
}

/** 1 = linear_attention (Gated DeltaNet), 0 = full_attention; HF derives them from full_attention_interval. */
function readLayerTypes(c: ConfigReader, layers: number): Int32Array {
  const every = c.int("full_attention_interval", 4); // read either way: HF drops it when layer_types is given
  if (!c.has("layer_types")) {
    c.ignore("layer_types");
    return Int32Array.from({ length: layers }, (_, i) => ((i + 1) % every === 0 ? 0 : 1));
  }
  const lt = c.raw("layer_types");
  if (!Array.isArray(lt) || lt.length !== layers)
    c.fail("layer_types", `expected a list of ${layers} layer types, got ${JSON.stringify(lt)}`);
  return Int32Array.from(lt as unknown[], (t, i) => {
    if (t === "linear_attention") return 1;
    if (t === "full_attention") return 0;
    return c.fail(
      `layer_types[${i}]`,
      `${JSON.stringify(t)} is not supported (supported: linear_attention, full_attention)`,
    );
  });
}

export const QWEN35_FAMILY: ModelFamily = {
  modelTypes: ["qwen3_5_text"],
  wrappers: { qwen3_5: { textModelTypes: ["qwen3_5_text"], weightPrefix: "model.language_model." } },
  parse: parseQwen35,
};
