import { extractGsm8kFinalAnswer, safeGrade, tryExtractBoxed } from "@crucible/grading";
import { loadRows, type Row, type RowSource } from "../data/rows.js";
import { ProblemEnv, ProblemGroupBuilder } from "../problem-env.js";
import { permutation } from "../random/index.js";
import type { EnvMessage, EnvRenderer } from "../renderer.js";
import type { EnvGroupBuilder, RLDataset, RLDatasetBuilder } from "../types.js";

/** Decides whether `given` (the boxed answer) matches `truth`. */
export type AnswerGrader = (given: string, truth: string) => boolean | Promise<boolean>;

export const MATH_QUESTION_SUFFIX = " Write your answer in \\boxed{} format.";

/** The cookbook's one-shot example ("strawberry"). */
export function standardFewshotPrefix(): EnvMessage[] {
  return [
    { role: "user", content: `How many r's are in strawberry?${MATH_QUESTION_SUFFIX}` },
    {
      role: "assistant",
      content:
        "Let's spell the word out and number all the letters: 1) s 2) t 3) r 4) a 5) w 6) b 7) e 8) r 9) r 10) y. We have r's at positions 3, 8, and 9. \\boxed{3}",
    },
  ];
}

/** Runs a custom grader, treating exceptions (thrown or rejected) as wrong. No time limit: see `MathEnv`. */
export async function gradeSafely(grader: AnswerGrader, given: string, truth: string): Promise<boolean> {
  try {
    return await grader(given, truth);
  } catch {
    return false;
  }
}

export interface MathEnvOptions {
  /**
   * Custom grader, run as is (exceptions = wrong). Default: `@crucible/grading`'s `safeGrade` — `gradeAnswer`
   * (the cookbook's "sympy" grader) in a worker thread with a hard time limit, as the cookbook's `safe_grade`.
   */
  grader?: AnswerGrader;
  /** Time limit of the default grader in ms; an overrun grades as wrong (1000, the cookbook's timeout=1.0). */
  gradeTimeoutMs?: number;
  convoPrefix?: EnvMessage[] | null;
  formatCoef?: number;
  requireStopSequenceForFormat?: boolean;
}

/** MATH-style problem: question + "\boxed{}" instruction; format = a box exists; correct = graded box content. */
export class MathEnv extends ProblemEnv {
  readonly grader: AnswerGrader | undefined;
  readonly gradeTimeoutMs: number;
  constructor(
    readonly problem: string,
    readonly answer: string,
    renderer: EnvRenderer,
    opts: MathEnvOptions,
  ) {
    super(renderer, opts);
    this.grader = opts.grader;
    this.gradeTimeoutMs = opts.gradeTimeoutMs ?? 1000;
  }
  getQuestion(): string {
    return this.problem + MATH_QUESTION_SUFFIX;
  }
  checkFormat(text: string): boolean {
    return safeBoxed(text) !== undefined;
  }
  async checkAnswer(text: string): Promise<boolean> {
    const given = safeBoxed(text);
    if (given === undefined) return false;
    if (this.grader) return gradeSafely(this.grader, given, this.answer);
    return safeGrade(given, this.answer, { timeoutMs: this.gradeTimeoutMs });
  }
  getReferenceAnswer(): string {
    return this.answer;
  }
}

function safeBoxed(text: string): string | undefined {
  try {
    return tryExtractBoxed(text);
  } catch {
    return undefined; // e.g. an unmatched "}" anywhere in the text
  }
}

export interface Problem {
  problem: string;
  answer: string;
}

/** Problems in order; batch i = rows [i·bs, min((i+1)·bs, n)); `length = ceil(n / bs)`. */
export class ProblemListDataset implements RLDataset {
  readonly length: number;
  constructor(
    readonly problems: readonly Problem[],
    readonly batchSize: number,
    readonly groupSize: number,
    readonly makeEnv: (p: Problem) => ProblemEnv,
    readonly datasetName: string,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    this.length = Math.ceil(problems.length / batchSize);
  }
  getBatch(index: number): EnvGroupBuilder[] {
    const rows = this.problems.slice(index * this.batchSize, (index + 1) * this.batchSize);
    return rows.map((p) => new ProblemGroupBuilder(() => this.makeEnv(p), this.groupSize, this.datasetName));
  }
}

/** `Dataset.shuffle(seed)` order: `default_rng(seed).permutation(n)`. */
export function shuffleRows<T>(rows: readonly T[], seed: number): T[] {
  return permutation(seed, rows.length).map((i) => rows[i] as T);
}

/** MATH row → problem; the answer is the boxed part of `solution` (or an `answer` column). Null if unusable. */
export function mathRowToProblem(row: Row): Problem | null {
  const problem = row.problem;
  if (typeof problem !== "string") return null;
  if (typeof row.answer === "string") return { problem, answer: row.answer };
  if (typeof row.solution !== "string") return null;
  const answer = safeBoxed(row.solution);
  return answer === undefined ? null : { problem, answer };
}

/** GSM8K row → problem with the `####` final answer. */
export function gsm8kRowToProblem(row: Row): Problem | null {
  if (typeof row.question !== "string" || typeof row.answer !== "string") return null;
  try {
    return { problem: row.question, answer: extractGsm8kFinalAnswer(row.answer) };
  } catch {
    return null;
  }
}

export interface MathDatasetOptions {
  renderer: EnvRenderer;
  grader?: AnswerGrader;
  /** Time limit of the default grader (ms, 1000). */
  gradeTimeoutMs?: number;
  batchSize: number;
  groupSize: number;
  /** Shuffle seed of the train split (default 0). */
  seed?: number;
  /** Few-shot prefix; default the standard strawberry example. */
  convoPrefix?: EnvMessage[] | null;
  formatCoef?: number;
}

export interface MathSources {
  train: RowSource | RowSource[];
  test?: RowSource | RowSource[];
}

async function loadProblems(
  src: RowSource | RowSource[],
  toProblem: (r: Row) => Problem | null,
): Promise<Problem[]> {
  const sources = Array.isArray(src) ? src : [src];
  const out: Problem[] = [];
  for (const s of sources) {
    for (const r of await loadRows(s)) {
      const p = toProblem(r);
      if (p) out.push(p);
    }
  }
  return out;
}

function buildProblemDatasets(
  name: string,
  sources: MathSources,
  opts: MathDatasetOptions,
  toProblem: (r: Row) => Problem | null,
  exclude: (train: Problem[], test: Problem[]) => Problem[] = (t) => t,
): RLDatasetBuilder {
  return async () => {
    const prefix = opts.convoPrefix === undefined ? standardFewshotPrefix() : opts.convoPrefix;
    const makeEnv = (p: Problem) =>
      new MathEnv(p.problem, p.answer, opts.renderer, {
        ...(opts.grader ? { grader: opts.grader } : {}),
        ...(opts.gradeTimeoutMs !== undefined ? { gradeTimeoutMs: opts.gradeTimeoutMs } : {}),
        convoPrefix: prefix,
        formatCoef: opts.formatCoef ?? 0.1,
      });
    const test = sources.test ? await loadProblems(sources.test, toProblem) : [];
    const train = shuffleRows(exclude(await loadProblems(sources.train, toProblem), test), opts.seed ?? 0);
    return {
      train: new ProblemListDataset(train, opts.batchSize, opts.groupSize, makeEnv, name),
      // Test problems are evaluated once each, unshuffled.
      test: sources.test ? new ProblemListDataset(test, opts.batchSize, 1, makeEnv, name) : null,
    };
  };
}

/**
 * MATH: train rows (e.g. every hendrycks_math config × split, in order) minus problems in the test set
 * (MATH-500), shuffled with `seed`; test unshuffled with group size 1.
 */
export function mathDatasetBuilder(sources: MathSources, opts: MathDatasetOptions): RLDatasetBuilder {
  return buildProblemDatasets("math", sources, opts, mathRowToProblem, (train, test) => {
    const held = new Set(test.map((p) => p.problem));
    return train.filter((p) => !held.has(p.problem));
  });
}

/** GSM8K (`openai/gsm8k` `main`): question + MathEnv's \boxed{} suffix, answer after `####`. */
export function gsm8kDatasetBuilder(sources: MathSources, opts: MathDatasetOptions): RLDatasetBuilder {
  return buildProblemDatasets("gsm8k", sources, opts, gsm8kRowToProblem);
}

/** HF-cache sources of the cookbook's datasets (needs them downloaded beforehand). */
export const HF_SOURCES = {
  gsm8k: {
    train: { hf: "openai/gsm8k", config: "main", split: "train" },
    test: { hf: "openai/gsm8k", config: "main", split: "test" },
  },
  math500Test: { hf: "HuggingFaceH4/MATH-500", split: "test" },
  hendrycksMathConfigs: [
    "algebra",
    "counting_and_probability",
    "geometry",
    "intermediate_algebra",
    "number_theory",
    "prealgebra",
    "precalculus",
  ],
} as const;

/** MATH sources from the HF cache: every hendrycks_math config × (train, test), test = MATH-500. */
export function hfMathSources(): MathSources {
  const train: RowSource[] = [];
  for (const config of HF_SOURCES.hendrycksMathConfigs) {
    for (const split of ["train", "test"]) train.push({ hf: "EleutherAI/hendrycks_math", config, split });
  }
  return { train, test: HF_SOURCES.math500Test };
}
