import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DENSE_FAMILY } from "./config/dense.js";
import { MODEL_FAMILIES } from "./config/families.js";
import { ModelConfigError, parseModelConfig, ropeInvFreq } from "./config.js";

const llama = {
  model_type: "llama",
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 100,
  eos_token_id: [1, 2],
};

describe("parseModelConfig", () => {
  it("reads Llama, Qwen2 and Qwen3 configs with HF defaults", () => {
    const c = parseModelConfig(llama);
    expect(c.architecture).toBe("llama");
    expect(c.contextLength).toBe(4096);
    expect(c.native).toMatchObject({
      headDim: 16,
      kvHeads: 2,
      qkNorm: false,
      tied: false,
      maxPositions: 4096,
      qkvBias: false,
      oBias: false,
      ropeTheta: 10000,
      ropeAttentionScaling: 1,
      ropeDynamicFactor: 0,
    });
    expect(c.native.invFreq).toHaveLength(8);
    expect(c.eosTokenIds).toEqual([1, 2]);
    const q = parseModelConfig({ ...llama, model_type: "qwen3", head_dim: 32, tie_word_embeddings: true });
    expect(q.native).toMatchObject({ headDim: 32, qkNorm: true, tied: true });
    expect(parseModelConfig({ ...llama, model_type: "qwen2" }).native).toMatchObject({
      qkvBias: true,
      oBias: false,
    });
    expect(parseModelConfig({ ...llama, attention_bias: true }).native).toMatchObject({
      qkvBias: true,
      oBias: true,
    });
  });

  it("reads RoPE from rope_parameters (current transformers) exactly as from rope_theta + rope_scaling", () => {
    const llama3 = {
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 64,
    };
    const old = parseModelConfig({
      ...llama,
      rope_theta: 500000,
      rope_scaling: { rope_type: "llama3", ...llama3 },
    });
    const now = parseModelConfig({
      ...llama,
      rope_parameters: { rope_type: "llama3", rope_theta: 500000, ...llama3 },
    });
    expect(now.native.ropeTheta).toBe(500000);
    expect(now.native.invFreq).toEqual(old.native.invFreq);
    expect(now.native.invFreq).not.toEqual(parseModelConfig(llama).native.invFreq);
    // the old spelling's legacy `type` key
    const legacy = parseModelConfig({
      ...llama,
      rope_theta: 500000,
      rope_scaling: { type: "llama3", ...llama3 },
    });
    expect(legacy.native.invFreq).toEqual(old.native.invFreq);
  });

  it("old and new spellings agree for any theta and rope type (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 1e7, noNaN: true }),
        fc.constantFrom("default", "linear", "dynamic", "yarn"),
        fc.double({ min: 1, max: 16, noNaN: true }),
        (theta, type, factor) => {
          const extra = type === "default" ? {} : { factor };
          const a = parseModelConfig({
            ...llama,
            rope_theta: theta,
            rope_scaling: { rope_type: type, ...extra },
          });
          const b = parseModelConfig({
            ...llama,
            rope_parameters: { rope_type: type, rope_theta: theta, ...extra },
          });
          expect(b.native).toEqual(a.native);
          expect(b.contextLength).toBe(a.contextLength);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("linear, dynamic, yarn and partial rotary follow HF's definitions", () => {
    const base = parseModelConfig({ ...llama, rope_theta: 1e4 }).native.invFreq;
    const lin = parseModelConfig({ ...llama, rope_parameters: { rope_type: "linear", factor: 4 } }).native;
    lin.invFreq.forEach((v, i) => {
      expect(v).toBeCloseTo((base[i] as number) / 4, 9);
    });
    const dyn = parseModelConfig({
      ...llama,
      max_position_embeddings: 128,
      rope_parameters: { rope_type: "dynamic", factor: 2 },
    });
    expect(dyn.native.ropeDynamicFactor).toBe(2);
    expect(dyn.native.invFreq).toEqual(base); // unchanged up to max_position_embeddings
    expect(dyn.contextLength).toBe(256);
    const yarn = parseModelConfig({
      ...llama,
      max_position_embeddings: 512,
      rope_parameters: { rope_type: "yarn", factor: 4, original_max_position_embeddings: 128 },
    }).native;
    expect(yarn.ropeAttentionScaling).toBeCloseTo(0.1 * Math.log(4) + 1, 12);
    expect(yarn.invFreq[0]).toBeCloseTo(1, 6); // highest frequency: extrapolated (kept)
    expect(yarn.invFreq[7]).toBeCloseTo((base[7] as number) / 4, 9); // lowest: interpolated (divided)
    const mscale = parseModelConfig({
      ...llama,
      rope_parameters: {
        rope_type: "yarn",
        factor: 4,
        mscale: 0.5,
        mscale_all_dim: 0.5,
        attention_factor: null,
      },
    }).native;
    expect(mscale.ropeAttentionScaling).toBe(1);
    const partial = parseModelConfig({ ...llama, partial_rotary_factor: 0.5 }).native;
    expect(partial.invFreq).toHaveLength(4); // head_dim 16 × 0.5 = 8 rotary dims
    expect(partial.invFreq[1]).toBeCloseTo(1 / 10000 ** (2 / 8), 7);
    const inParams = parseModelConfig({
      ...llama,
      rope_parameters: { rope_theta: 1e4, partial_rotary_factor: 0.5 },
    });
    expect(inParams.native).toEqual(partial);
  });

  it("refuses unsupported architectures and rope types, naming the key and value", () => {
    expect(() => parseModelConfig({ ...llama, model_type: "gpt2" })).toThrow(
      /model_type: "gpt2" is not supported \(supported: llama, qwen2, qwen3/,
    );
    expect(() =>
      parseModelConfig({ ...llama, rope_parameters: { rope_type: "longrope", rope_theta: 1e4 } }),
    ).toThrow(/rope_parameters\.rope_type: "longrope" is not supported/);
    expect(() => parseModelConfig({ ...llama, rope_scaling: { type: "su", factor: 2 } })).toThrow(
      /rope_scaling\.rope_type: "su"/,
    );
    expect(() => parseModelConfig({ ...llama, rope_scaling: { rope_type: "linear" } })).toThrow(
      /rope_scaling\.factor: required for rope_type "linear"/,
    );
    expect(() =>
      parseModelConfig({ ...llama, rope_parameters: { rope_type: "linear", factor: 2, beta_fast: 3 } }),
    ).toThrow(/rope_parameters\.beta_fast: 3 is not understood for rope_type "linear"/);
  });

  it("refuses contradictions and keys nobody understood instead of guessing", () => {
    const err = (c: Record<string, unknown>) => () => parseModelConfig(c);
    expect(err({ ...llama, rope_theta: 1e4, rope_parameters: { rope_theta: 5e5 } })).toThrow(
      /rope_theta: 10000 contradicts/,
    );
    expect(
      err({
        ...llama,
        rope_scaling: { rope_type: "linear", factor: 2 },
        rope_parameters: { rope_type: "default" },
      }),
    ).toThrow(/rope_scaling: .* contradicts rope_parameters/);
    expect(err({ ...llama, sliding_window_pattern: 4 })).toThrow(
      /field sliding_window_pattern: 4 is not understood/,
    );
    expect(err({ ...llama, attention_dropout: 0.1 })).toThrow(/attention_dropout: 0.1 is not supported/);
    expect(err({ ...llama, mlp_bias: true })).toThrow(/mlp_bias/);
    expect(err({ ...llama, hidden_act: "gelu" })).toThrow(/hidden_act/);
    expect(err({ ...llama, hidden_size: 0 })).toThrow(/hidden_size/);
    expect(err({ ...llama, model_type: "qwen3", use_sliding_window: true })).toThrow(/use_sliding_window/);
    expect(err({ ...llama, layer_types: ["full_attention", "sliding_attention"] })).toThrow(
      /layer_types\[1\]: "sliding_attention" is not supported/,
    );
    expect(err({ ...llama, partial_rotary_factor: 0.1 })).toThrow(/partial_rotary_factor/);
    expect(
      err({
        ...llama,
        rope_scaling: { rope_type: "linear", factor: 2 },
        original_max_position_embeddings: 64,
      }),
    ).toThrow(/original_max_position_embeddings/);
    expect(() => parseModelConfig({ ...llama, foo: 1 })).toThrow(ModelConfigError);
  });

  it("accepts what does not change the computation: metadata, generation defaults, consistent layer_types", () => {
    const c = parseModelConfig({
      ...llama,
      model_type: "qwen3",
      architectures: ["Qwen3ForCausalLM"],
      torch_dtype: "bfloat16",
      dtype: "bfloat16",
      transformers_version: "4.57.0",
      use_cache: true,
      attention_dropout: 0.0,
      use_sliding_window: false,
      sliding_window: null,
      max_window_layers: 28,
      layer_types: ["full_attention", "full_attention"],
      initializer_range: 0.02,
      temperature: 0.6,
      top_p: 0.95,
      head_dim: null,
    });
    expect(c.native.headDim).toBe(16);
  });
});

describe("parseModelConfig: qwen3_moe", () => {
  const moe = {
    ...llama,
    model_type: "qwen3_moe",
    num_hidden_layers: 4,
    moe_intermediate_size: 16,
    num_experts: 8,
    num_experts_per_tok: 2,
    norm_topk_prob: true,
    output_router_logits: false,
    router_aux_loss_coef: 0.001,
  };
  it("reads routing, experts and which layers are sparse (mlp_only_layers, decoder_sparse_step)", () => {
    const c = parseModelConfig({ ...moe, mlp_only_layers: [1], decoder_sparse_step: 1 });
    expect(c.native.kind).toBe("moe");
    expect(c.native).toMatchObject({ qkNorm: true, intermediate: 128 });
    expect(c.native.moe).toEqual({
      experts: 8,
      topK: 2,
      intermediate: 16,
      normTopk: true,
      sparseLayers: [true, false, true, true],
    });
    expect(parseModelConfig({ ...moe, decoder_sparse_step: 2 }).native.moe?.sparseLayers).toEqual([
      false,
      true,
      false,
      true,
    ]);
    // all layers sparse: intermediate_size is not needed
    const { intermediate_size: _, ...noDense } = moe;
    expect(parseModelConfig(noDense).native.moe?.normTopk).toBe(true);
  });
  it("refuses what it cannot run", () => {
    expect(() => parseModelConfig({ ...moe, num_experts_per_tok: 9 })).toThrow(
      /num_experts_per_tok: 9 exceeds/,
    );
    expect(() => parseModelConfig({ ...moe, mlp_only_layers: [7] })).toThrow(/mlp_only_layers/);
    expect(() => parseModelConfig({ ...moe, shared_expert_intermediate_size: 64 })).toThrow(
      /shared_expert_intermediate_size: 64 is not understood/,
    );
  });
});

// config.json of models people download (copied from their Hugging Face repositories): every key is understood.
const REAL_CONFIGS: Record<string, Record<string, unknown>> = {
  "Qwen/Qwen3-0.6B": {
    architectures: ["Qwen3ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151645,
    head_dim: 128,
    hidden_act: "silu",
    hidden_size: 1024,
    initializer_range: 0.02,
    intermediate_size: 3072,
    max_position_embeddings: 40960,
    max_window_layers: 28,
    model_type: "qwen3",
    num_attention_heads: 16,
    num_hidden_layers: 28,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: 1000000,
    sliding_window: null,
    tie_word_embeddings: true,
    torch_dtype: "bfloat16",
    transformers_version: "4.51.0",
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
  },
  "meta-llama/Llama-3.2-1B": {
    architectures: ["LlamaForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 128000,
    eos_token_id: 128001,
    head_dim: 64,
    hidden_act: "silu",
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 8192,
    max_position_embeddings: 131072,
    mlp_bias: false,
    model_type: "llama",
    num_attention_heads: 32,
    num_hidden_layers: 16,
    num_key_value_heads: 8,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: {
      factor: 32.0,
      high_freq_factor: 4.0,
      low_freq_factor: 1.0,
      original_max_position_embeddings: 8192,
      rope_type: "llama3",
    },
    rope_theta: 500000.0,
    tie_word_embeddings: true,
    torch_dtype: "bfloat16",
    transformers_version: "4.45.0.dev0",
    use_cache: true,
    vocab_size: 128256,
  },
  "Qwen/Qwen2.5-0.5B": {
    architectures: ["Qwen2ForCausalLM"],
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151643,
    hidden_act: "silu",
    hidden_size: 896,
    initializer_range: 0.02,
    intermediate_size: 4864,
    max_position_embeddings: 32768,
    max_window_layers: 24,
    model_type: "qwen2",
    num_attention_heads: 14,
    num_hidden_layers: 24,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    sliding_window: 32768,
    tie_word_embeddings: true,
    torch_dtype: "bfloat16",
    transformers_version: "4.40.1",
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
    use_mrope: false,
  },
  "Qwen/Qwen3-30B-A3B": {
    architectures: ["Qwen3MoeForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 151643,
    decoder_sparse_step: 1,
    eos_token_id: 151645,
    head_dim: 128,
    hidden_act: "silu",
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 6144,
    max_position_embeddings: 40960,
    max_window_layers: 48,
    mlp_only_layers: [],
    model_type: "qwen3_moe",
    moe_intermediate_size: 768,
    norm_topk_prob: true,
    num_attention_heads: 32,
    num_experts: 128,
    num_experts_per_tok: 8,
    num_hidden_layers: 48,
    num_key_value_heads: 4,
    output_router_logits: false,
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: 1000000.0,
    router_aux_loss_coef: 0.001,
    sliding_window: null,
    tie_word_embeddings: false,
    torch_dtype: "bfloat16",
    transformers_version: "4.51.0",
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
  },
  "HuggingFaceTB/SmolLM2-135M": {
    architectures: ["LlamaForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 0,
    eos_token_id: 0,
    hidden_act: "silu",
    hidden_size: 576,
    initializer_range: 0.041666666666666664,
    intermediate_size: 1536,
    is_llama_config: true,
    max_position_embeddings: 8192,
    model_type: "llama",
    num_attention_heads: 9,
    num_hidden_layers: 30,
    num_key_value_heads: 3,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_interleaved: false,
    rope_scaling: null,
    rope_theta: 100000,
    tie_word_embeddings: true,
    torch_dtype: "bfloat16",
    transformers_version: "4.40.1",
    use_cache: true,
    vocab_size: 49152,
  },
};

describe("parseModelConfig: configs of models people download", () => {
  it.each(Object.entries(REAL_CONFIGS))("%s", (_, config) => {
    const c = parseModelConfig(config);
    expect(c.architecture).toBe(config.model_type);
    expect(c.native.ropeTheta).toBe(config.rope_theta);
    // the same model saved by current transformers (rope_parameters) reads identically
    const { rope_theta, rope_scaling, ...rest } = config;
    const now = parseModelConfig({
      ...rest,
      rope_parameters: { rope_type: "default", ...(rope_scaling as object), rope_theta },
    });
    expect(now.native).toEqual(c.native);
  });
  it("refuses what would change them: a quantization config, interleaved RoPE, multimodal RoPE", () => {
    const smol = REAL_CONFIGS["HuggingFaceTB/SmolLM2-135M"] as Record<string, unknown>;
    expect(() =>
      parseModelConfig({ ...smol, quantization_config: { quant_method: "gptq", bits: 4 } }),
    ).toThrow(/quantization_config: .* is not understood/);
    expect(() => parseModelConfig({ ...smol, rope_interleaved: true })).toThrow(/rope_interleaved: true/);
    const qwen25 = REAL_CONFIGS["Qwen/Qwen2.5-0.5B"] as Record<string, unknown>;
    expect(() => parseModelConfig({ ...qwen25, use_mrope: true })).toThrow(/use_mrope: true/);
  });
});

describe("parseModelConfig: multimodal wrappers (text_config)", () => {
  // The dispatch as a family that lists a wrapper sees it (the real wrapper families register themselves in
  // families.ts); the dense family stands in for the text model here.
  const wrapping = {
    ...DENSE_FAMILY,
    modelTypes: [],
    wrappers: { test_vl: { textModelTypes: ["llama"], weightPrefix: "model.language_model." } },
  };
  const wrapped = {
    model_type: "test_vl",
    tie_word_embeddings: true,
    vision_config: { depth: 2 },
    text_config: llama,
  };
  it("runs the text part, with the wrapper's tie_word_embeddings and the text weights' prefix", () => {
    MODEL_FAMILIES.push(wrapping);
    try {
      const c = parseModelConfig(wrapped);
      expect(c.architecture).toBe("llama");
      expect(c.weightPrefix).toBe("model.language_model.");
      expect(c.native.tied).toBe(true);
      expect(c.eosTokenIds).toEqual([1, 2]);
      expect(() =>
        parseModelConfig({ ...wrapped, text_config: { ...llama, tie_word_embeddings: false } }),
      ).toThrow(/tie_word_embeddings: true contradicts text_config\.tie_word_embeddings/);
      expect(() => parseModelConfig({ ...wrapped, text_config: { ...llama, model_type: "qwen3" } })).toThrow(
        /text_config\.model_type: "qwen3" is not the text model of test_vl/,
      );
      expect(() =>
        parseModelConfig({ ...wrapped, text_config: { ...llama, rope_scaling: { rope_type: "su" } } }),
      ).toThrow(/text_config\.rope_scaling\.rope_type/);
      expect(() => parseModelConfig({ ...wrapped, text_config: undefined })).toThrow(/field text_config/);
    } finally {
      MODEL_FAMILIES.pop();
    }
  });
});

describe("ropeInvFreq", () => {
  it("llama3 scaling keeps high frequencies, divides low ones by the factor and blends in between", () => {
    const plain = ropeInvFreq(128, 500000);
    const scaled = ropeInvFreq(128, 500000, {
      rope_type: "llama3",
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    });
    expect(plain[0]).toBe(1);
    expect(scaled[0]).toBe(1);
    expect(scaled[63]).toBeCloseTo((plain[63] as number) / 8, 12);
    for (let i = 0; i < 64; i++) {
      const wl = (2 * Math.PI) / (plain[i] as number);
      if (wl < 8192 / 4) expect(scaled[i]).toBe(plain[i]);
      else if (wl > 8192) expect(scaled[i]).toBeCloseTo((plain[i] as number) / 8, 12);
      else {
        expect(scaled[i] as number).toBeLessThan(plain[i] as number);
        expect(scaled[i] as number).toBeGreaterThan((plain[i] as number) / 8);
      }
    }
  });
});
