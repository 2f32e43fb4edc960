// Benchmark problem sets over the env protocol: each problem knows how to make a fresh env for a renderer.
import {
  type AnswerGrader,
  ARITHMETIC_FEWSHOT,
  ArithmeticEnv,
  type EnvMessage,
  type EnvRenderer,
  gsm8kRowToProblem,
  MathEnv,
  type Problem,
  permutation,
  RandomState,
  standardFewshotPrefix,
} from "@crucible/env";
import type { BenchmarkProblem } from "./benchmark-problem.js";
import { loadMath500, MATH500_SOURCE } from "./math500.js";
import { type BenchmarkSource, benchmarkRows } from "./rows.js";

export const BENCHMARK_NAMES = ["arithmetic", "gsm8k", "math500"] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export class BenchmarkDataError extends Error {
  override readonly name = "BenchmarkDataError";
}

/**
 * Held-out arithmetic: `count` problems "What is x + y?" drawn from MT19937 seeded with `seed`, skipping
 * every pair that any ArithmeticDataset with batch_size ≤ 100 and n_batches ≤ 100 trains on (batch i
 * draws its pairs from RandomState(i), so those are the first 100 pairs of seeds 0…99).
 */
export function arithmeticProblems(count = 100, seed = 1_000_003, includeFewshot = true): BenchmarkProblem[] {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const rng = new RandomState(i);
    for (let k = 0; k < 100; k++) seen.add(`${rng.randint(0, 101)},${rng.randint(0, 101)}`);
  }
  const rng = new RandomState(seed);
  const out: BenchmarkProblem[] = [];
  const used = new Set<string>();
  const prefix: EnvMessage[] | null = includeFewshot ? ARITHMETIC_FEWSHOT : null;
  while (out.length < count) {
    const x = rng.randint(0, 101);
    const y = rng.randint(0, 101);
    const key = `${x},${y}`;
    if (seen.has(key) || used.has(key)) continue;
    used.add(key);
    out.push({
      id: key,
      question: `What is ${x} + ${y}?`,
      reference: String(x + y),
      makeEnv: (r) => new ArithmeticEnv(x, y, r, prefix),
    });
  }
  return out;
}

export interface ArithmeticHeldOutOptions {
  count: number;
  /** Operands are drawn from [0, maxOperand). */
  maxOperand: number;
  seed?: number;
  includeFewshot?: boolean;
}

/**
 * Held-out arithmetic over a small operand range: all maxOperand² pairs in the order of
 * `default_rng(seed).permutation`, first `count`. Callers exclude these pairs from their training data
 * (see `problemPairs`), so the set stays unseen.
 */
export function arithmeticHeldOutProblems(o: ArithmeticHeldOutOptions): BenchmarkProblem[] {
  const n = o.maxOperand * o.maxOperand;
  if (o.count > n)
    throw new BenchmarkDataError(`arithmetic: ${o.count} problems asked but only ${n} pairs exist`);
  const prefix: EnvMessage[] | null = o.includeFewshot ? ARITHMETIC_FEWSHOT : null;
  return permutation(o.seed ?? 0, n)
    .slice(0, o.count)
    .map((k) => {
      const x = Math.floor(k / o.maxOperand);
      const y = k % o.maxOperand;
      return {
        id: `${x},${y}`,
        question: `What is ${x} + ${y}?`,
        reference: String(x + y),
        makeEnv: (r: EnvRenderer) => new ArithmeticEnv(x, y, r, prefix),
      };
    });
}

/** The `x,y` ids of arithmetic problems, to keep them out of training data. */
export function problemPairs(problems: readonly BenchmarkProblem[]): Set<string> {
  return new Set(problems.map((p) => p.id));
}

function mathProblemsFrom(
  problems: Problem[],
  grader: AnswerGrader,
  prefix: EnvMessage[] | null,
): BenchmarkProblem[] {
  return problems.map((p, i) => ({
    id: String(i),
    question: p.problem,
    reference: p.answer,
    makeEnv: (r) => new MathEnv(p.problem, p.answer, r, { grader, convoPrefix: prefix }),
  }));
}

async function loadProblems(
  src: BenchmarkSource,
  toProblem: (r: Record<string, unknown>) => Problem | null,
  what: string,
) {
  let rows: Record<string, unknown>[];
  try {
    rows = await benchmarkRows(src);
  } catch (e) {
    throw new BenchmarkDataError(`${what}: no local data: ${e instanceof Error ? e.message : String(e)}`);
  }
  return rows.map(toProblem).filter((p): p is Problem => p !== null);
}

export interface LoadBenchmarkOptions {
  /** Problems to keep (first N). */
  limit?: number;
  /** A local file (.jsonl or .parquet) instead of the Hugging Face cache. */
  dataFile?: string;
  grader?: AnswerGrader;
  seed?: number;
}

/**
 * Loads a benchmark's problems; gsm8k/math500 need local data (a `.jsonl`/`.parquet` file or the HF cache, never
 * the network). MATH-500 problems are keyed by `unique_id` and carry `subject`/`level`.
 */
export async function loadBenchmark(
  name: BenchmarkName,
  opts: LoadBenchmarkOptions = {},
): Promise<BenchmarkProblem[]> {
  if (name === "arithmetic") return arithmeticProblems(opts.limit ?? 100, opts.seed);
  const grader = opts.grader;
  if (!grader)
    throw new BenchmarkDataError(`${name}: needs an answer grader (e.g. gradeAnswer from @crucible/grading)`);
  if (name === "math500") {
    let problems: BenchmarkProblem[];
    try {
      problems = await loadMath500(
        opts.dataFile ? { files: [opts.dataFile] } : MATH500_SOURCE,
        grader,
        standardFewshotPrefix(),
      );
    } catch (e) {
      throw new BenchmarkDataError(`math500: no local data: ${e instanceof Error ? e.message : String(e)}`);
    }
    return opts.limit !== undefined ? problems.slice(0, opts.limit) : problems;
  }
  const src: BenchmarkSource = opts.dataFile
    ? { files: [opts.dataFile] }
    : { hf: "openai/gsm8k", config: "main", split: "test" };
  const problems = await loadProblems(src, gsm8kRowToProblem, name);
  const kept = opts.limit !== undefined ? problems.slice(0, opts.limit) : problems;
  return mathProblemsFrom(kept, grader, standardFewshotPrefix());
}
