import { existsSync } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DTYPE_BYTES,
  fromFloat32,
  numel,
  readTensorBytes,
  type SafetensorsSpec,
  toFloat32,
  writeSafetensorsFile,
} from "@crucible/hub";
import { PROVENANCE, type Provenance } from "./card.js";
import { type LoraPair, loraScale, readCheckpoint, sourceTinkerPath } from "./checkpoint.js";
import {
  type BaseModelDir,
  checkAdapterFits,
  EMBED,
  LM_HEAD,
  readBaseModelDir,
  TOKENIZER_FILES,
} from "./model-dir.js";
import { writeDirAtomic } from "./output-dir.js";

export interface MergeOptions {
  checkpointDir: string;
  /** Local Hugging Face directory of the base model the adapter was trained on. */
  baseDir: string;
  /** The base model's name (hub id) to record in the provenance; default the checkpoint's or the directory. */
  baseModel?: string;
  outDir: string;
  overwrite?: boolean;
  /** Called after each tensor is written (for a progress bar). */
  onTensor?: (done: number, total: number, name: string) => void;
}

export interface MergeResult {
  outDir: string;
  shards: string[];
  mergedModules: number;
  /** True when the base had tied embeddings and the adapter trained the unembedding: lm_head was written apart. */
  untied: boolean;
  totalBytes: number;
}

/** W ← W + scale · B·A, in place, one output row at a time in f64 (rounded to f32 once per element). */
export function addLoraDelta(w: Float32Array, p: LoraPair, scale: number): void {
  const [r, inDim] = p.aShape;
  const out = p.bShape[0];
  const row = new Float64Array(inDim);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const coef = (p.b[o * r + k] as number) * scale;
      if (coef === 0) continue;
      const aOff = k * inDim;
      for (let i = 0; i < inDim; i++) row[i] = (row[i] as number) + coef * (p.a[aOff + i] as number);
    }
    const wOff = o * inDim;
    for (let i = 0; i < inDim; i++) w[wOff + i] = (w[wOff + i] as number) + (row[i] as number);
  }
}

function shardName(i: number, n: number): string {
  const pad = (x: number) => String(x).padStart(5, "0");
  return `model-${pad(i + 1)}-of-${pad(n)}.safetensors`;
}

/** Which tensors go to which output shard: the base's layout, plus a separate lm_head beside a tied embedding. */
function planShards(base: BaseModelDir, untie: boolean): { file: string; specs: SafetensorsSpec[] }[] {
  return base.shards.map((shard, i) => {
    const names = base.shardTensors.get(shard) ?? [];
    const specs: SafetensorsSpec[] = names.map((name) => {
      const t = base.tensors.get(name);
      if (!t) throw new Error(`internal: tensor ${name} missing from the header map`);
      return { name, dtype: t.dtype, shape: [...t.shape] };
    });
    if (untie && names.includes(EMBED)) {
      const e = base.tensors.get(EMBED);
      if (e) specs.push({ name: LM_HEAD, dtype: e.dtype, shape: [...e.shape] });
    }
    return { file: shardName(i, base.shards.length), specs };
  });
}

/**
 * Merges a LoRA checkpoint into its base model, writing a complete Hugging Face model directory (config, sharded
 * safetensors + index, tokenizer files, generation config) in the base dtype. Streams tensor by tensor: memory holds
 * the adapter plus one base tensor, never the model. Tied embeddings with an unembedding LoRA are untied (a separate
 * `lm_head.weight` = embedding + delta), because the LoRA changed only the output side; folding it into the shared
 * matrix would also change the input embedding.
 */
export async function mergeAdapter(options: MergeOptions): Promise<MergeResult> {
  const ckpt = readCheckpoint(options.checkpointDir);
  const base = readBaseModelDir(options.baseDir);
  checkAdapterFits(base, ckpt.pairs);
  const scale = loraScale(ckpt);
  const byWeight = new Map<string, LoraPair>();
  const untie = base.tied && ckpt.pairs.some((p) => p.module === "lm_head");
  for (const p of ckpt.pairs) byWeight.set(`${p.module}.weight`, p);
  const plan = planShards(base, untie);
  const total = plan.reduce((n, s) => n + s.specs.length, 0);
  let done = 0;
  let totalBytes = 0;
  const weightMap: Record<string, string> = {};

  const produce = (spec: SafetensorsSpec): Uint8Array => {
    const source = spec.name === LM_HEAD && untie ? EMBED : spec.name;
    const loc = base.tensors.get(source);
    if (!loc) throw new Error(`internal: no base tensor ${source}`);
    const bytes = readTensorBytes(loc);
    const pair = byWeight.get(spec.name);
    let out = bytes;
    if (pair) {
      const w = toFloat32({ dtype: loc.dtype, shape: loc.shape, data: bytes });
      addLoraDelta(w, pair, scale);
      out = fromFloat32(w, loc.dtype);
    }
    done++;
    options.onTensor?.(done, total, spec.name);
    return out;
  };

  await writeDirAtomic(
    options.outDir,
    async (tmp) => {
      for (const shard of plan) {
        writeSafetensorsFile(join(tmp, shard.file), shard.specs, produce, { format: "pt" });
        for (const s of shard.specs) {
          weightMap[s.name] = shard.file;
          totalBytes += numel(s.shape) * DTYPE_BYTES[s.dtype];
        }
      }
      const index = { metadata: { total_size: totalBytes }, weight_map: sortedObject(weightMap) };
      await writeFile(join(tmp, "model.safetensors.index.json"), `${JSON.stringify(index, null, 2)}\n`);
      const config = { ...base.config, ...(untie ? { tie_word_embeddings: false } : {}) };
      await writeFile(join(tmp, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
      const provenance: Provenance = {
        kind: "merged",
        base_model: options.baseModel ?? ckpt.baseModel ?? options.baseDir,
        r: ckpt.rank,
        lora_alpha: ckpt.alpha,
        unembed: untie ? "untied" : ckpt.pairs.some((p) => p.module === "lm_head") ? "merged" : "none",
      };
      const tinkerPath = sourceTinkerPath(options.checkpointDir);
      if (tinkerPath) provenance.tinker_path = tinkerPath;
      await writeFile(join(tmp, PROVENANCE), `${JSON.stringify(provenance, null, 2)}\n`);
      for (const f of TOKENIZER_FILES) {
        if (existsSync(join(base.dir, f))) await copyFile(join(base.dir, f), join(tmp, f));
      }
      if (!existsSync(join(base.dir, "generation_config.json"))) {
        const gen: Record<string, unknown> = {};
        for (const k of ["bos_token_id", "eos_token_id", "pad_token_id"]) {
          if (base.config[k] !== undefined) gen[k] = base.config[k];
        }
        await writeFile(join(tmp, "generation_config.json"), `${JSON.stringify(gen, null, 2)}\n`);
      }
    },
    { overwrite: options.overwrite ?? false },
  );
  return {
    outDir: options.outDir,
    shards: plan.map((s) => s.file),
    mergedModules: ckpt.pairs.length,
    untied: untie,
    totalBytes,
  };
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
