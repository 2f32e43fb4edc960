// Metrics over a scorer's per-sample values: accuracy, mean, standard error, and a percentile bootstrap
// confidence interval (seeded, so a rerun reports the same interval).
import { RandomState } from "@crucible/env";
import type { Metric } from "./types.js";

const avg = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export function accuracy(): Metric {
  return { name: "accuracy", compute: avg };
}

export function mean(): Metric {
  return { name: "mean", compute: avg };
}

/** Standard error of the mean: sample standard deviation (n − 1) over √n; 0 for a single sample. */
export function stderr(): Metric {
  return {
    name: "stderr",
    compute(xs) {
      const n = xs.length;
      if (n < 2) return n === 1 ? 0 : Number.NaN;
      const m = avg(xs);
      const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1);
      return Math.sqrt(v / n);
    },
  };
}

export interface BootstrapOptions {
  /** Confidence level (default 0.95). */
  level?: number;
  resamples?: number;
  seed?: number;
}

/** Percentile bootstrap interval of the mean, as two metrics: `ci_lower` and `ci_upper`. */
export function bootstrapCi(o: BootstrapOptions = {}): [Metric, Metric] {
  const level = o.level ?? 0.95;
  const resamples = o.resamples ?? 1000;
  const seed = o.seed ?? 0;
  const params = { level, resamples, seed };
  const bounds = (xs: readonly number[]): [number, number] => {
    const n = xs.length;
    if (n === 0) return [Number.NaN, Number.NaN];
    const rng = new RandomState(seed);
    const means = new Float64Array(resamples);
    for (let r = 0; r < resamples; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xs[rng.randint(0, n)]!;
      means[r] = s / n;
    }
    means.sort();
    const q = (p: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
    return [q((1 - level) / 2), q(1 - (1 - level) / 2)];
  };
  return [
    { name: "ci_lower", params, compute: (xs) => bounds(xs)[0] },
    { name: "ci_upper", params, compute: (xs) => bounds(xs)[1] },
  ];
}

/** The default metric set of the built-in scorers. */
export function defaultMetrics(): Metric[] {
  return [accuracy(), stderr(), ...bootstrapCi()];
}
