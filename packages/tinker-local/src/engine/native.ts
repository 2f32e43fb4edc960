import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Shapes crossing the N-API boundary (see native/src/addon.cc). */
export interface NativeTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}
/** A weight in a safetensors file; the addon reads it from `file` itself. */
export interface NativeWeight {
  name: string;
  dtype: "F32" | "F16" | "BF16";
  shape: number[];
  file: string;
  offset: number;
  nbytes: number;
}
export interface NativeDeviceMemory {
  freeMB: number;
  totalMB: number;
  reservedMB: number;
  allocatedMB: number;
  availableMB: number;
  /** Peaks of libtorch's caching allocator since the process started (0 without the CUDA headers at build time). */
  peakReservedMB: number;
  peakAllocatedMB: number;
}
export interface NativeModelConfig {
  /** Which native model runs it: "dense" (Llama/Qwen2/Qwen3), "moe" (Qwen3-MoE: `moe` is set) or "qwen3_5"
   *  (hybrid: `hybrid` is set). */
  kind: "dense" | "moe" | "qwen3_5";
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  rmsNormEps: number;
  qkNorm: boolean;
  tied: boolean;
  /** Biases on q/k/v_proj, and on o_proj. */
  qkvBias: boolean;
  oBias: boolean;
  /** rotaryDim/2 RoPE inverse frequencies (scaling applied): the first rotaryDim dims of each head rotate. */
  invFreq: Float32Array;
  ropeTheta: number;
  /** Multiplies cos/sin (YaRN's attention factor). */
  ropeAttentionScaling: number;
  /** Dynamic NTK factor (0 = off): frequencies are recomputed for sequences longer than maxPositions. */
  ropeDynamicFactor: number;
  /** "cpu" | "cuda" | "cuda:N" (default cpu). */
  device?: string;
  /** Qwen3.5 hybrid stack: layer kinds (1 = Gated DeltaNet linear attention, 0 = full attention) and its sizes. */
  hybrid?: {
    layerTypes: Int32Array;
    kHeads: number;
    vHeads: number;
    kDim: number;
    vDim: number;
    convKernel: number;
  };
  moe?: NativeMoeConfig;
}
/** Sparse MLP of a MoE model; layers with sparseLayers[l] false keep the dense MLP (`intermediate`). */
export interface NativeMoeConfig {
  experts: number;
  topK: number;
  /** Width of each expert's SwiGLU. */
  intermediate: number;
  /** Renormalise the chosen experts' routing weights to sum to 1. */
  normTopk: boolean;
  sparseLayers: boolean[];
}
export interface NativeModel {
  load(config: NativeModelConfig, weights: NativeWeight[]): Promise<void>;
}
export interface NativeSampleParams {
  numSamples: number;
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  promptLogprobs: boolean;
  topkPrompt: number;
}
export interface NativeSampleStep {
  tokens: Int32Array;
  logprobs: Float32Array;
}
/** Output of sampleSteps for R rows: row r's tokens/logprobs are [r·maxSteps, r·maxSteps + counts[r]); alive[r] = 1
 *  when the row is still in the native batch afterwards (no stop id, below maxTokens). */
export interface NativeSampleChunk extends NativeSampleStep {
  counts: Int32Array;
  alive: Int32Array;
}
export interface NativeSampleStart extends NativeSampleStep {
  id: number;
  promptLogprobs: Float32Array;
  topkIds: Int32Array;
  topkLogprobs: Float32Array;
}
export type TensorKind = "params" | "grads" | "exp_avg" | "exp_avg_sq";
export interface NativeAdapter {
  forward(
    tokens: Int32Array,
    lens: number[],
    targets: Int32Array,
    ks: number[],
    keepGraph: boolean,
  ): Promise<Float32Array>;
  backward(gradLogprobs: Float32Array): Promise<void>;
  adamStep(p: {
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
    gradClipNorm: number;
  }): Promise<number>;
  getTensors(kind: TensorKind): NativeTensor[];
  setTensors(kind: Exclude<TensorKind, "grads">, tensors: NativeTensor[]): void;
  getOptimizerStep(): number;
  setOptimizerStep(step: number): void;
  zeroOptimizer(): void;
  numTrainable(): number;
  sampleStart(prompt: Int32Array, params: NativeSampleParams): Promise<NativeSampleStart>;
  sampleSteps(
    id: number,
    keep: Int32Array,
    maxSteps: number,
    stopIds: Int32Array,
  ): Promise<NativeSampleChunk>;
  /** sampleSteps for several sessions (requests) decoded as one batch; outputs in the order of `groups`. A
   *  session's output is what sampleSteps would give it alone. */
  sampleStepsMulti(
    groups: { id: number; keep: Int32Array; stopIds: Int32Array }[],
    maxSteps: number,
  ): Promise<NativeSampleChunk[]>;
  sampleEnd(id: number): void;
}
export interface NativeAddon {
  NativeModel: new () => NativeModel;
  NativeAdapter: new (
    model: NativeModel,
    spec: { rank: number; scaling: number; modules: string[] },
  ) => NativeAdapter;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** What the linked libtorch can run on. */
  deviceInfo(): { torchVersion: string; cudaBuild: boolean; cudaDevices: number };
  /** A CUDA device's memory in MiB (`available` = driver-free + libtorch's cached-but-unused); zeros on cpu. */
  deviceMemory(device: string): NativeDeviceMemory;
  /** Caching allocator counters (native/src/alloc.cc), MiB of size classes. */
  allocStats(): {
    liveMB: number;
    cachedMB: number;
    mappedMB: number;
    peakLiveMB: number;
    peakMappedMB: number;
    hits: number;
    misses: number;
    /** Cached blocks unmapped to keep the cache within its limit. */
    evictions: number;
    /** glibc malloc, all arenas: bytes held from the OS / in use. */
    mallocHeapMB: number;
    mallocInUseMB: number;
  };
}

export const INSTALL_HINT =
  "install libtorch and a C++ compiler (Debian/Ubuntu: `sudo apt-get install libtorch-dev g++ make`), or point " +
  "LIBTORCH at another libtorch (an unpacked libtorch from pytorch.org, or an installed PyTorch's folder: " +
  "LIBTORCH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')), then build the addon: " +
  "`npm rebuild @crucible/tinker-local` (pnpm: `pnpm rebuild @crucible/tinker-local`)";

/** Thrown when libtorch or the compiled addon is missing. */
export class EngineUnavailableError extends Error {
  constructor(detail: string) {
    super(`@crucible/tinker-local engine unavailable: ${detail}. Fix: ${INSTALL_HINT}`);
    this.name = "EngineUnavailableError";
  }
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new EngineUnavailableError("cannot locate the package directory");
    dir = up;
  }
  return dir;
}

/** Threads for torch's intra-op pool; BLAS/OpenMP pools are pinned to the same count so two cores are not oversubscribed. */
export function engineThreads(): number {
  const fromEnv = Number(process.env.CRUCIBLE_ENGINE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

let addon: NativeAddon | undefined;

/** Loads the addon once. Pins OpenMP/BLAS pools before libgomp initialises (it reads the env at load time). */
export function loadAddon(): NativeAddon {
  addon ??= loadAddonFrom(
    process.env.CRUCIBLE_ENGINE_ADDON ?? join(packageRoot(), "native/build/Release/crucible_engine.node"),
  );
  return addon;
}

export function loadAddonFrom(path: string): NativeAddon {
  const threads = engineThreads();
  for (const v of ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]) {
    process.env[v] ??= String(threads);
  }
  // libgomp's idle workers spin by default. With two engine processes (or an engine beside a test runner) on the
  // same cores, each spins while the other needs the core: steps measured 20-50x slower on 2 cores. Passive
  // waiting sleeps on a futex instead; a user's explicit setting wins.
  process.env["OMP_WAIT_POLICY"] ??= "PASSIVE";
  if (!existsSync(path)) throw new EngineUnavailableError(`native addon not built (${path} is missing)`);
  let loaded: NativeAddon;
  try {
    loaded = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    // typically libtorch.so / libc10.so not found by the dynamic loader
    throw new EngineUnavailableError(`cannot load ${path}: ${(e as Error).message}`);
  }
  loaded.setNumThreads(threads);
  return loaded;
}
