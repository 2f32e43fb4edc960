import { readDecoderCore, refuseSlidingWindow, requireLayerTypes } from "./dense.js";
import type { FamilyConfig, ModelFamily } from "./family.js";
import type { ConfigReader } from "./reader.js";

/**
 * Qwen3-MoE (HF `Qwen3MoeForCausalLM`): Qwen3 attention (q/k norm) with a sparse MLP: a softmax router picks
 * `num_experts_per_tok` of `num_experts` SwiGLU experts (`moe_intermediate_size`) per token, their outputs weighted
 * by the router probabilities (renormalised over the chosen k when `norm_topk_prob`). Layer l is sparse when it is
 * not in `mlp_only_layers` and (l + 1) is a multiple of `decoder_sparse_step`; the others keep a dense MLP of
 * `intermediate_size`.
 */
function parseQwen3Moe(c: ConfigReader): FamilyConfig {
  const core = readDecoderCore(c);
  const bias = c.bool("attention_bias", false);
  refuseSlidingWindow(c);
  requireLayerTypes(c, core.layers, ["full_attention"]);
  const experts = c.int("num_experts");
  const topK = c.int("num_experts_per_tok");
  if (topK > experts) c.fail("num_experts_per_tok", `${topK} exceeds num_experts ${experts}`);
  const step = c.int("decoder_sparse_step", 1);
  const only = c.raw("mlp_only_layers") ?? [];
  if (!Array.isArray(only) || !only.every((l) => Number.isInteger(l) && l >= 0 && l < core.layers))
    c.fail(
      "mlp_only_layers",
      `expected a list of layer indices below ${core.layers}, got ${JSON.stringify(only)}`,
    );
  const sparseLayers = Array.from(
    { length: core.layers },
    (_, l) => !(only as number[]).includes(l) && (l + 1) % step === 0,
  );
  // The router's auxiliary load-balancing loss belongs to HF's training forward; Tinker's losses are fixed by the
  // API (spec §4), so these do not change what the engine computes.
  c.ignore("output_router_logits", "router_aux_loss_coef");
  // Dense layers (mlp_only_layers / decoder_sparse_step) use intermediate_size; needed only if there are any.
  c.ignore("intermediate_size");
  const denseIntermediate = sparseLayers.every(Boolean) ? 1 : c.int("intermediate_size");
  return {
    contextLength: core.rope.contextLength,
    native: {
      kind: "moe",
      hidden: core.hidden,
      layers: core.layers,
      heads: core.heads,
      kvHeads: core.kvHeads,
      headDim: core.headDim,
      intermediate: denseIntermediate,
      vocab: core.vocab,
      maxPositions: core.maxPositions,
      rmsNormEps: core.rmsNormEps,
      qkNorm: true,
      tied: core.tied,
      qkvBias: bias,
      oBias: bias,
      invFreq: core.rope.invFreq,
      ropeTheta: core.rope.theta,
      ropeAttentionScaling: core.rope.attentionScaling,
      ropeDynamicFactor: core.rope.dynamicFactor,
      moe: {
        experts,
        topK,
        intermediate: c.int("moe_intermediate_size"),
        normTopk: c.bool("norm_topk_prob", false), // Qwen3MoeConfig's default; real checkpoints set true
        sparseLayers,
      },
    },
  };
}

export const QWEN3_MOE_FAMILY: ModelFamily = {
  modelTypes: ["qwen3_moe"],
  parse: parseQwen3Moe,
};
