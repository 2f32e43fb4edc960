import { describe, expect, it } from "vitest";
import { ModelConfigError, parseModelConfig } from "../config.js";

const text = {
  model_type: "qwen3_5_text",
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 8,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 32,
  vocab_size: 100,
  rope_parameters: { rope_type: "default", rope_theta: 1e7, partial_rotary_factor: 0.25 },
  eos_token_id: 5,
};

describe("parseModelConfig: Qwen3.5", () => {
  it("reads qwen3_5_text with HF's family defaults (layer_types from full_attention_interval, linear heads)", () => {
    // mrope keys leave a text-only forward unchanged; the defaults below are Qwen3_5TextConfig's
    const withMrope = { ...text.rope_parameters, mrope_section: [11, 11, 10], mrope_interleaved: true };
    expect(parseModelConfig({ ...text, rope_parameters: withMrope }).native.invFreq).toEqual(
      parseModelConfig(text).native.invFreq,
    );
    const c = parseModelConfig(text);
    expect(c.architecture).toBe("qwen3_5_text");
    expect(c.native).toMatchObject({ kind: "qwen3_5", tied: false, qkNorm: true, headDim: 32 });
    expect(c.weightPrefix).toBeUndefined();
    expect(Array.from(c.native.hybrid?.layerTypes ?? [])).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(c.native.hybrid).toMatchObject({ kHeads: 16, vHeads: 32, kDim: 128, vDim: 128, convKernel: 4 });
    expect(c.native.invFreq).toHaveLength(4); // 32 × 0.25 rotary dims
    expect(c.native.invFreq[1]).toBe(Math.fround(1 / 1e7 ** 0.25));
    expect(c.eosTokenIds).toEqual([5]);
    const every2 = parseModelConfig({ ...text, full_attention_interval: 2 });
    expect(Array.from(every2.native.hybrid?.layerTypes ?? [])).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });

  it("reads the text part of the qwen3_5 wrapper (text_config, model.language_model. weights, outer tying)", () => {
    const c = parseModelConfig({
      model_type: "qwen3_5",
      tie_word_embeddings: true,
      text_config: { ...text, layer_types: ["full_attention", ...Array(7).fill("linear_attention")] },
      vision_config: { depth: 2 },
    });
    expect(c.native).toMatchObject({ tied: true });
    expect(c.weightPrefix).toBe("model.language_model.");
    expect(c.architecture).toBe("qwen3_5_text");
    expect(Array.from(c.native.hybrid?.layerTypes ?? [])).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("reads a released checkpoint's text_config (Qwen3.6-27B's keys: MTP head, mamba_ssm_dtype, output gate)", () => {
    const layerTypes = Array.from({ length: 64 }, (_, i) =>
      (i + 1) % 4 === 0 ? "full_attention" : "linear_attention",
    );
    const c = parseModelConfig({
      architectures: ["Qwen3_5ForConditionalGeneration"],
      model_type: "qwen3_5",
      tie_word_embeddings: false,
      image_token_id: 248056,
      video_token_id: 248057,
      vision_config: { model_type: "qwen3_5", depth: 27, hidden_size: 1152 },
      text_config: {
        model_type: "qwen3_5_text",
        attention_bias: false,
        attention_dropout: 0.0,
        attn_output_gate: true,
        dtype: "bfloat16",
        eos_token_id: 248044,
        full_attention_interval: 4,
        head_dim: 256,
        hidden_act: "silu",
        hidden_size: 5120,
        initializer_range: 0.02,
        intermediate_size: 17408,
        layer_types: layerTypes,
        linear_conv_kernel_dim: 4,
        linear_key_head_dim: 128,
        linear_num_key_heads: 16,
        linear_num_value_heads: 48,
        linear_value_head_dim: 128,
        mamba_ssm_dtype: "float32",
        max_position_embeddings: 262144,
        mtp_num_hidden_layers: 1,
        mtp_use_dedicated_embeddings: false,
        num_attention_heads: 24,
        num_hidden_layers: 64,
        num_key_value_heads: 4,
        rms_norm_eps: 1e-6,
        rope_parameters: {
          mrope_interleaved: true,
          mrope_section: [11, 11, 10],
          rope_type: "default",
          rope_theta: 10000000,
          partial_rotary_factor: 0.25,
        },
        use_cache: true,
        vocab_size: 248320,
      },
    });
    expect(c.architecture).toBe("qwen3_5_text");
    expect(c.weightPrefix).toBe("model.language_model.");
    expect(c.native).toMatchObject({ hidden: 5120, layers: 64, headDim: 256, tied: false });
    expect(c.native.invFreq).toHaveLength(32); // 256 × 0.25 rotary dims
    expect(c.native.hybrid).toMatchObject({ kHeads: 16, vHeads: 48, kDim: 128, vDim: 128, convKernel: 4 });
    expect(c.eosTokenIds).toEqual([248044]);
  });

  it("the old spelling (top-level rope_theta, partial_rotary_factor) gives the same frequencies", () => {
    const { rope_parameters: _, ...rest } = text;
    const old = parseModelConfig({ ...rest, rope_theta: 1e7, partial_rotary_factor: 0.25 });
    expect(Array.from(old.native.invFreq)).toEqual(Array.from(parseModelConfig(text).native.invFreq));
  });

  it("refuses what it does not understand, naming the key", () => {
    const bad = (over: Record<string, unknown>, key: RegExp) => {
      expect(() => parseModelConfig({ ...text, ...over })).toThrow(ModelConfigError);
      expect(() => parseModelConfig({ ...text, ...over })).toThrow(key);
    };
    bad(
      { rope_parameters: { rope_type: "longrope", rope_theta: 1e6 } },
      /rope_parameters\.rope_type.*longrope/,
    );
    bad(
      { rope_parameters: { rope_type: "default", rope_theta: 1e7, mrope_sections: [1] } },
      /mrope_sections/,
    );
    bad({ linear_attention_mode: "chunked" }, /linear_attention_mode/);
    bad({ attn_output_gate: false }, /attn_output_gate/);
    bad({ layer_types: Array(8).fill("sliding_attention") }, /layer_types\[0\].*sliding_attention/);
    bad({ layer_types: ["full_attention"] }, /layer_types.*list of 8/);
    bad({ hidden_act: "gelu" }, /hidden_act/);
    bad({ attention_bias: true }, /attention_bias/);
    bad({ linear_num_key_heads: 3, linear_num_value_heads: 4 }, /linear_num_value_heads/);
    expect(() => parseModelConfig({ model_type: "qwen3_5" })).toThrow(/text_config/);
    expect(() =>
      parseModelConfig({
        model_type: "qwen3_5",
        tie_word_embeddings: false,
        text_config: { ...text, tie_word_embeddings: true },
      }),
    ).toThrow(/tie_word_embeddings/);
    expect(() =>
      parseModelConfig({ model_type: "qwen3_5", text_config: { ...text, model_type: "qwen3" } }),
    ).toThrow(/text_config\.model_type/);
  });
});
