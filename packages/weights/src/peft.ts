import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeSafetensors } from "@crucible/hub";
import { PROVENANCE, type Provenance } from "./card.js";
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, readCheckpoint, sourceTinkerPath } from "./checkpoint.js";
import { WeightsError } from "./errors.js";
import { checkAdapterFits, readBaseModelDir } from "./model-dir.js";
import { writeDirAtomic } from "./output-dir.js";

export interface PeftExportOptions {
  checkpointDir: string;
  outDir: string;
  /** `base_model_name_or_path` to record; default the checkpoint's own. */
  baseModel?: string;
  /** A local base model directory: when given, every LoRA pair is checked against its weight shapes. */
  baseDir?: string;
  /**
   * The unembedding (lm_head) LoRA. "keep" (default): exported as an `lm_head` target; PEFT/transformers apply it
   * to the output projection only, which is exact even when embeddings are tied. "drop": left out, for serving
   * engines that cannot load LoRA on lm_head (vLLM, SGLang); outputs then differ from the trained model.
   */
  unembed?: "keep" | "drop";
  overwrite?: boolean;
}

export interface PeftExportResult {
  outDir: string;
  targetModules: string[];
  tensors: number;
  /** What happened to the unembedding LoRA, in words (the CLI prints it). */
  notes: string[];
}

/**
 * Converts a checkpoint (hosted archive layout, or a local one) into a standard PEFT LoRA directory:
 * `adapter_model.safetensors` with `base_model.model.<module>.lora_{A,B}.weight` (unscaled, like PEFT stores them)
 * and an `adapter_config.json` PEFT and vLLM's `--lora-modules` read.
 */
export async function exportPeftAdapter(options: PeftExportOptions): Promise<PeftExportResult> {
  const ckpt = readCheckpoint(options.checkpointDir);
  let tied: boolean | undefined;
  if (options.baseDir) {
    const base = readBaseModelDir(options.baseDir);
    checkAdapterFits(base, ckpt.pairs);
    tied = base.tied;
  }
  const baseModel = options.baseModel ?? options.baseDir ?? ckpt.baseModel;
  if (!baseModel) {
    throw new WeightsError(
      `${options.checkpointDir}: the adapter does not name its base model; pass --base <hf id or dir>`,
      "base_model",
    );
  }
  const notes: string[] = [];
  const hasUnembed = ckpt.pairs.some((p) => p.module === "lm_head");
  const pairs = options.unembed === "drop" ? ckpt.pairs.filter((p) => p.module !== "lm_head") : ckpt.pairs;
  if (hasUnembed && options.unembed === "drop") {
    notes.push(
      "unembedding LoRA dropped (--drop-unembed): the adapter loads in vLLM/SGLang, but its outputs differ from the trained model's; use `crucible weights merge` for an exact model",
    );
  } else if (hasUnembed) {
    notes.push(
      `unembedding LoRA kept as target "lm_head"${tied ? " (tied embeddings: PEFT applies it to the output projection only, so the input embedding is unchanged, as in training)" : ""}: exact in PEFT/transformers; vLLM and SGLang cannot load LoRA on lm_head — pass --drop-unembed for them (outputs then differ) or serve the merged model from \`crucible weights merge\``,
    );
  }
  if (pairs.length === 0) throw new WeightsError("no LoRA weights left to export", "not_checkpoint");
  const targetModules = [...new Set(pairs.map((p) => p.module.split(".").pop() as string))].sort();
  const tensors = pairs.flatMap((p) => [
    { name: `base_model.model.${p.module}.lora_A.weight`, shape: [...p.aShape], data: p.a },
    { name: `base_model.model.${p.module}.lora_B.weight`, shape: [...p.bShape], data: p.b },
  ]);
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModel,
    r: ckpt.rank,
    lora_alpha: ckpt.alpha,
    lora_dropout: 0,
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: ckpt.config["use_rslora"] === true,
    init_lora_weights: true,
    inference_mode: true,
    modules_to_save: null,
    rank_pattern: {},
    alpha_pattern: {},
    target_modules: targetModules,
  };
  await writeDirAtomic(
    options.outDir,
    async (tmp) => {
      await writeFile(join(tmp, ADAPTER_WEIGHTS), encodeSafetensors(tensors, { format: "pt" }));
      await writeFile(join(tmp, ADAPTER_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
      const provenance: Provenance = {
        kind: "peft-adapter",
        base_model: baseModel,
        r: ckpt.rank,
        lora_alpha: ckpt.alpha,
        unembed: !hasUnembed ? "none" : options.unembed === "drop" ? "dropped" : "kept",
      };
      const tinkerPath = sourceTinkerPath(options.checkpointDir);
      if (tinkerPath) provenance.tinker_path = tinkerPath;
      await writeFile(join(tmp, PROVENANCE), `${JSON.stringify(provenance, null, 2)}\n`);
    },
    { overwrite: options.overwrite ?? false },
  );
  return { outDir: options.outDir, targetModules, tensors: tensors.length, notes };
}
