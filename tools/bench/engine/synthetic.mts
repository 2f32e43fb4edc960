// Shared pieces of the by-hand engine benches: the child-process environment and a deterministic training batch.
import { join } from "node:path";

/** Environment for a bench child: one thread count for torch, OpenMP and BLAS; @crucible/* resolved to sources. */
export function benchEnv(threads: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    CRUCIBLE_ENGINE_THREADS: String(threads),
    // resolve @crucible/* siblings to their sources (tsconfig paths), not to dist/ builds that may be absent
    TSX_TSCONFIG_PATH: join(import.meta.dirname, "..", "..", "..", "tsconfig.base.json"),
    ...extra,
  };
}

/** `batch` sequences of `T` next-token targets with weight 1 (cross_entropy), token ids spread over the vocabulary. */
export function syntheticBatch(vocab: number, batch: number, T: number) {
  return Array.from({ length: batch }, (_, j) => {
    const toks = Int32Array.from({ length: T + 1 }, (_, i) => (j * 7919 + i * 104729) % vocab);
    return {
      inputTokens: toks.slice(0, T),
      targetTokens: toks.slice(1),
      k: 1,
      weights: new Float32Array(T).fill(1),
    };
  });
}
