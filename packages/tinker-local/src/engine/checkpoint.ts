import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { encodeSafetensors, readSafetensors, toFloat32 } from "@crucible/hub";
import type { ResolvedLoraConfig } from "@crucible/tinker-client";
import { fromPeftName, LORA_ALPHA, peftAdapterConfig, toPeftName } from "./lora.js";
import type { NativeTensor } from "./native.js";

/**
 * On-disk layouts.
 * Training state (saveState): crucible_state.json, adapter.safetensors (engine names, F32),
 *   optimizer.safetensors (`exp_avg.<name>`, `exp_avg_sq.<name>`) when saved with the optimizer.
 * Sampler weights (saveSamplerWeights): PEFT adapter_model.safetensors + adapter_config.json.
 * Both kinds can be loaded into a sampler; a trainer loads either (PEFT: weights only).
 */
export const STATE_FILE = "crucible_state.json";
export const ADAPTER_FILE = "adapter.safetensors";
export const OPTIMIZER_FILE = "optimizer.safetensors";
export const PEFT_WEIGHTS = "adapter_model.safetensors";
export const PEFT_CONFIG = "adapter_config.json";

export class CheckpointError extends Error {
  /** The caller's input was wrong (the server reports it as a `user` error). */
  readonly category = "user" as const;
  constructor(dir: string, detail: string) {
    super(`checkpoint ${dir}: ${detail}`);
    this.name = "CheckpointError";
  }
}

export interface TrainingStateMeta {
  format: 1;
  baseModel: string;
  lora: ResolvedLoraConfig;
  loraAlpha: number;
  optimizerStep: number;
  hasOptimizer: boolean;
}

/** Writes files into a fresh temp directory, then renames it over `dir` (readers never see half a checkpoint). */
export function writeDirAtomic(dir: string, files: Record<string, string | Buffer>): void {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export function stateFiles(
  meta: TrainingStateMeta,
  params: NativeTensor[],
  expAvg?: NativeTensor[],
  expAvgSq?: NativeTensor[],
): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {
    [STATE_FILE]: `${JSON.stringify(meta, null, 2)}\n`,
    [ADAPTER_FILE]: encodeSafetensors(params),
  };
  if (expAvg && expAvgSq) {
    files[OPTIMIZER_FILE] = encodeSafetensors([
      ...expAvg.map((t) => ({ ...t, name: `exp_avg.${t.name}` })),
      ...expAvgSq.map((t) => ({ ...t, name: `exp_avg_sq.${t.name}` })),
    ]);
  }
  return files;
}

export function peftFiles(baseModel: string, rank: number, modules: string[], params: NativeTensor[]) {
  return {
    [PEFT_WEIGHTS]: encodeSafetensors(
      params.map((t) => ({ ...t, name: toPeftName(t.name) })),
      { format: "pt" },
    ),
    [PEFT_CONFIG]: `${JSON.stringify(peftAdapterConfig(baseModel, rank, modules), null, 2)}\n`,
  };
}

function readF32(file: string, rename: (n: string) => string = (n) => n): NativeTensor[] {
  return readSafetensors(file).tensors.map((w) => ({
    name: rename(w.name),
    shape: w.shape,
    data: toFloat32(w),
  }));
}

export interface LoadedAdapter {
  rank: number;
  alpha: number;
  modules: string[];
  params: NativeTensor[];
  meta?: TrainingStateMeta;
  optimizer?: { expAvg: NativeTensor[]; expAvgSq: NativeTensor[] };
}

/** Reads a training-state or PEFT directory. */
export function readAdapterDir(dir: string, withOptimizer: boolean): LoadedAdapter {
  let out: LoadedAdapter;
  if (existsSync(join(dir, STATE_FILE))) {
    const meta = JSON.parse(readFileSync(join(dir, STATE_FILE), "utf8")) as TrainingStateMeta;
    const params = readF32(join(dir, ADAPTER_FILE));
    out = { rank: meta.lora.rank, alpha: meta.loraAlpha, modules: modulesOf(params), params, meta };
    if (withOptimizer) {
      if (!meta.hasOptimizer || !existsSync(join(dir, OPTIMIZER_FILE))) {
        throw new CheckpointError(
          dir,
          "has no optimizer state (it was saved without optimizer); load it without optimizer",
        );
      }
      const opt = readF32(join(dir, OPTIMIZER_FILE));
      const pick = (prefix: string) =>
        opt
          .filter((t) => t.name.startsWith(prefix))
          .map((t) => ({ ...t, name: t.name.slice(prefix.length) }));
      out.optimizer = { expAvg: pick("exp_avg."), expAvgSq: pick("exp_avg_sq.") };
    }
  } else if (existsSync(join(dir, PEFT_WEIGHTS))) {
    if (withOptimizer) throw new CheckpointError(dir, "is a sampler (PEFT) adapter without optimizer state");
    const cfg = existsSync(join(dir, PEFT_CONFIG))
      ? JSON.parse(readFileSync(join(dir, PEFT_CONFIG), "utf8"))
      : {};
    const params = readF32(join(dir, PEFT_WEIGHTS), fromPeftName);
    const aTensor = params.find((t) => t.name.endsWith(".lora_A.weight"));
    const rank =
      typeof cfg.r === "number" ? cfg.r : ((aTensor?.shape[(aTensor?.shape.length ?? 2) - 2] as number) ?? 1);
    out = {
      rank,
      alpha: typeof cfg.lora_alpha === "number" ? cfg.lora_alpha : LORA_ALPHA,
      modules: modulesOf(params),
      params,
    };
  } else {
    throw new CheckpointError(dir, `neither ${STATE_FILE} nor ${PEFT_WEIGHTS} found`);
  }
  return out;
}

function modulesOf(params: NativeTensor[]): string[] {
  return [...new Set(params.map((t) => t.name.replace(/\.lora_[AB]\.weight$/, "")))].sort();
}
