import type { ResolvedLoraConfig } from "@crucible/tinker-client";
import seedrandom from "seedrandom";
import type { NativeModelConfig, NativeTensor } from "./native.js";

/**
 * LoRA conventions (not on the Tinker wire; see README "Engine"):
 * - alpha = 32 and scaling = alpha / rank (the cookbook's suggestion), y = W x + scaling · B (A x).
 * - A ~ U(-1/√in, 1/√in) (PEFT's kaiming_uniform(a=√5)), seeded per module from the config seed; B = 0.
 * - trainAttn → q,k,v,o projections (Qwen3.5 linear-attention layers: in_proj_q/k/v/z, out_proj); trainMlp → gate, up, down; trainUnembed → lm_head (the tied embedding's
 *   output use when embeddings are tied; the input embedding stays frozen).
 * - MoE layers: trainMlp adapts the experts under Tinker's names `mlp.experts.w1|w3|w2` (gate, up, down; what the
 *   cookbook's weights module merges): A [1, r, in] shared by all experts and B [E, out, r] for w1/w3, A [E, r, in]
 *   and B [1, out, r] shared for w2. The router (`mlp.gate`) stays frozen.
 */
export const LORA_ALPHA = 32;

export function loraScaling(rank: number): number {
  return LORA_ALPHA / rank;
}

const ATTN = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"];
const MLP = ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];
const EXPERTS = ["mlp.experts.w1", "mlp.experts.w2", "mlp.experts.w3"];
/** Qwen3.5 linear-attention layers, as Tinker names their adapters: the fused in_proj_qkv is adapted as separate
 *  q, k and v blocks (the cookbook's weights module fuses them back when merging); in_proj_a/b are not adapted. */
const LINEAR_ATTN = [
  "linear_attn.in_proj_q",
  "linear_attn.in_proj_k",
  "linear_attn.in_proj_v",
  "linear_attn.in_proj_z",
  "linear_attn.out_proj",
];

/** HF module paths that get an adapter, in a stable order. */
export function loraModules(cfg: NativeModelConfig, lora: ResolvedLoraConfig): string[] {
  const mods: string[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const mlp = cfg.moe?.sparseLayers[l] ? EXPERTS : MLP;
    const attn = cfg.hybrid?.layerTypes[l] === 1 ? LINEAR_ATTN : ATTN;
    const names = [...(lora.trainAttn ? attn : []), ...(lora.trainMlp ? mlp : [])];
    for (const n of names) mods.push(`model.layers.${l}.${n}`);
  }
  if (lora.trainUnembed) mods.push("lm_head");
  return mods.sort();
}

/**
 * Seeded A initialisation (B stays zero) for tensors as returned by NativeAdapter.getTensors("params"). Fills the
 * given buffers in place (they are fresh copies; for the 135M shape they total ~40 MB) and returns them.
 */
export function initLoraParams(params: NativeTensor[], seed: number): NativeTensor[] {
  for (const t of params) {
    if (!t.name.endsWith(".lora_A.weight")) {
      t.data.fill(0);
      continue;
    }
    const fanIn = t.shape[t.shape.length - 1] as number; // [r, in] or, for experts, [E or 1, r, in]
    const bound = 1 / Math.sqrt(fanIn);
    const rng = seedrandom(`${seed}:${t.name}`);
    for (let i = 0; i < t.data.length; i++) t.data[i] = (rng() * 2 - 1) * bound;
  }
  return params;
}

const PEFT_PREFIX = "base_model.model.";

/** Engine tensor name → PEFT adapter_model.safetensors name. */
export function toPeftName(name: string): string {
  return PEFT_PREFIX + name;
}
export function fromPeftName(name: string): string {
  return name.startsWith(PEFT_PREFIX) ? name.slice(PEFT_PREFIX.length) : name;
}

/** PEFT adapter_config.json for an adapter trained by this engine. */
export function peftAdapterConfig(
  baseModel: string,
  rank: number,
  modules: string[],
): Record<string, unknown> {
  const targets = [...new Set(modules.map((m) => m.split(".").pop() as string))].sort();
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModel,
    r: rank,
    lora_alpha: LORA_ALPHA,
    lora_dropout: 0,
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: false,
    target_modules: targets,
    inference_mode: true,
  };
}
