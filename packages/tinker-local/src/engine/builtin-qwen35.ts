/**
 * The built-in tiny Qwen3.5 text model: its config and the tensors a generated checkpoint holds. Norm weights
 * of this family are offsets (scale 1 + w), so they start at 0 as HF initialises them; the gated norm of the
 * linear-attention output is a plain scale (1). Everything else is random (see builtin.ts).
 */
export const QWEN35_TINY_CONFIG = {
  architectures: ["Qwen3_5ForCausalLM"],
  model_type: "qwen3_5_text",
  hidden_act: "silu",
  attention_bias: false,
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 4, // layer_types from full_attention_interval 4: three Gated DeltaNet layers, then attention
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  linear_num_key_heads: 2,
  linear_num_value_heads: 4,
  linear_key_head_dim: 16,
  linear_value_head_dim: 16,
  linear_conv_kernel_dim: 4,
  rms_norm_eps: 1e-6,
  rope_parameters: { rope_type: "default", rope_theta: 10000000, partial_rotary_factor: 0.25 },
  max_position_embeddings: 4096,
  vocab_size: 151936,
  bos_token_id: 151643,
  eos_token_id: 151645,
  tie_word_embeddings: true,
  torch_dtype: "float32",
};

export interface WeightSpec {
  name: string;
  shape: number[];
  /** A constant value; random when absent. */
  fill?: number;
}

type Cfg = Record<string, unknown>;

/** Tensors of a qwen3_5_text checkpoint (Qwen3_5ForCausalLM names) for config `c`. */
export function qwen35WeightSpecs(c: Cfg): WeightSpec[] {
  const n = (k: string) => c[k] as number;
  const [H, I, V, hd] = [n("hidden_size"), n("intermediate_size"), n("vocab_size"), n("head_dim")];
  const [nh, nkv, nk, nv] = [
    n("num_attention_heads"),
    n("num_key_value_heads"),
    n("linear_num_key_heads"),
    n("linear_num_value_heads"),
  ];
  const [dk, dv, K] = [n("linear_key_head_dim"), n("linear_value_head_dim"), n("linear_conv_kernel_dim")];
  const kd = nk * dk;
  const vd = nv * dv;
  const every = (c.full_attention_interval as number | undefined) ?? 4;
  const types =
    (c.layer_types as string[] | undefined) ??
    Array.from({ length: n("num_hidden_layers") }, (_, i) =>
      (i + 1) % every === 0 ? "full_attention" : "linear_attention",
    );
  const specs: WeightSpec[] = [
    { name: "model.embed_tokens.weight", shape: [V, H] },
    { name: "model.norm.weight", shape: [H], fill: 0 },
  ];
  if (!c.tie_word_embeddings) specs.push({ name: "lm_head.weight", shape: [V, H] });
  types.forEach((type, l) => {
    const p = `model.layers.${l}.`;
    specs.push(
      { name: `${p}input_layernorm.weight`, shape: [H], fill: 0 },
      { name: `${p}post_attention_layernorm.weight`, shape: [H], fill: 0 },
      { name: `${p}mlp.gate_proj.weight`, shape: [I, H] },
      { name: `${p}mlp.up_proj.weight`, shape: [I, H] },
      { name: `${p}mlp.down_proj.weight`, shape: [H, I] },
    );
    if (type === "full_attention") {
      specs.push(
        { name: `${p}self_attn.q_proj.weight`, shape: [nh * hd * 2, H] },
        { name: `${p}self_attn.k_proj.weight`, shape: [nkv * hd, H] },
        { name: `${p}self_attn.v_proj.weight`, shape: [nkv * hd, H] },
        { name: `${p}self_attn.o_proj.weight`, shape: [H, nh * hd] },
        { name: `${p}self_attn.q_norm.weight`, shape: [hd], fill: 0 },
        { name: `${p}self_attn.k_norm.weight`, shape: [hd], fill: 0 },
      );
    } else {
      const a = `${p}linear_attn.`;
      specs.push(
        { name: `${a}in_proj_qkv.weight`, shape: [2 * kd + vd, H] },
        { name: `${a}in_proj_z.weight`, shape: [vd, H] },
        { name: `${a}in_proj_b.weight`, shape: [nv, H] },
        { name: `${a}in_proj_a.weight`, shape: [nv, H] },
        { name: `${a}conv1d.weight`, shape: [2 * kd + vd, 1, K] },
        { name: `${a}A_log`, shape: [nv] }, // ≈ 0: decay rates exp(A_log) ≈ 1
        { name: `${a}dt_bias`, shape: [nv], fill: 1 },
        { name: `${a}norm.weight`, shape: [dv], fill: 1 },
        { name: `${a}out_proj.weight`, shape: [H, vd] },
      );
    }
  });
  return specs;
}
