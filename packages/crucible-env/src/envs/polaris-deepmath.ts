// Polaris and DeepMath (cookbook `math_env.py` PolarisDataset / DeepMathDataset): train-only MATH-style problem
// sets read from local files or the Hugging Face cache (never the network). As in the cookbook the whole split
// is shuffled with `seed` first and rows without a question or answer are skipped when a batch is built, so a
// batch may hold fewer than `batchSize` groups; no few-shot prefix; no test split.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  DatasetSourceError,
  findHfCachedFiles,
  hfHubCacheDir,
  loadRows,
  type Row,
  type RowSource,
} from "../data/rows.js";
import { ProblemGroupBuilder } from "../problem-env.js";
import type { EnvMessage } from "../renderer.js";
import type { EnvGroupBuilder, RLDataset, RLDatasetBuilder } from "../types.js";
import { type MathDatasetOptions, MathEnv, type Problem, shuffleRows } from "./math.js";

export interface TrainOnlyMathSpec {
  /** Logging tag and dataset name (`polaris`, `deepmath`). */
  name: string;
  /** Hugging Face dataset id. */
  repoId: string;
  questionField: string;
  answerField: string;
}

export const POLARIS: TrainOnlyMathSpec = {
  name: "polaris",
  repoId: "POLARIS-Project/Polaris-Dataset-53K",
  questionField: "problem",
  answerField: "answer",
};

export const DEEPMATH: TrainOnlyMathSpec = {
  name: "deepmath",
  repoId: "zwhe99/DeepMath-103K",
  questionField: "question",
  answerField: "final_answer",
};

/** A required dataset has no local copy. Names the dataset, where it was looked for and how to provide it. */
export class MissingDatasetError extends DatasetSourceError {
  constructor(
    readonly dataset: string,
    readonly expectedPath: string,
    readonly howToProvide: string,
  ) {
    super(`dataset ${dataset} not found locally (looked in ${expectedPath}); ${howToProvide}`);
    this.name = "MissingDatasetError";
  }
}

const textOf = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) && v !== 0 ? String(v) : "";

/** Row → problem with the spec's fields; null when the question or the answer is empty (the cookbook skips it). */
export function trainOnlyRowToProblem(spec: TrainOnlyMathSpec, row: Row): Problem | null {
  const problem = textOf(row[spec.questionField]);
  const answer = textOf(row[spec.answerField]);
  return problem && answer ? { problem, answer } : null;
}

/**
 * Rows shuffled once (`Dataset.shuffle(seed)` order); batch i = rows `[i·bs, min((i+1)·bs, n))` minus unusable
 * rows; `length = ceil(n / bs)` over all rows.
 */
export class ShuffledProblemRowsDataset implements RLDataset {
  readonly length: number;
  constructor(
    readonly rows: readonly Row[],
    readonly spec: TrainOnlyMathSpec,
    readonly batchSize: number,
    readonly groupSize: number,
    readonly makeEnv: (p: Problem) => MathEnv,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    this.length = Math.ceil(rows.length / batchSize);
  }
  getBatch(index: number): EnvGroupBuilder[] {
    const out: EnvGroupBuilder[] = [];
    for (const row of this.rows.slice(index * this.batchSize, (index + 1) * this.batchSize)) {
      const p = trainOnlyRowToProblem(this.spec, row);
      if (p) out.push(new ProblemGroupBuilder(() => this.makeEnv(p), this.groupSize, this.spec.name));
    }
    return out;
  }
}

const DATA_FILE = /\.(jsonl|json|parquet)$/;

/**
 * The train split of `spec` in the HF hub cache: `train-*` / `train.*` files if the snapshot has them, else
 * every data file of the snapshot (single-split repos name their file freely). Throws MissingDatasetError.
 */
export function hfTrainSource(spec: TrainOnlyMathSpec, cacheDir: string = hfHubCacheDir()): RowSource {
  const base = join(cacheDir, `datasets--${spec.repoId.replace("/", "--")}`, "snapshots");
  const how =
    `pass data_dir=<dir with train*.jsonl or train*.parquet holding fields ${spec.questionField}/${spec.answerField}>, ` +
    `or download ${spec.repoId} into the HF cache where the hub is reachable`;
  if (!existsSync(base)) throw new MissingDatasetError(spec.repoId, base, how);
  try {
    return { files: findHfCachedFiles({ repoId: spec.repoId, split: "train", cacheDir }) };
  } catch {
    const snap = readdirSync(base).sort().at(-1);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (DATA_FILE.test(e.name)) files.push(p);
      }
    };
    if (snap) walk(join(base, snap));
    if (files.length === 0) throw new MissingDatasetError(spec.repoId, base, how);
    return { files: files.sort() };
  }
}

export interface TrainOnlyMathOptions extends Omit<MathDatasetOptions, "convoPrefix"> {
  /** Default none (the cookbook passes no few-shot prefix for these sets). */
  convoPrefix?: EnvMessage[] | null;
}

function trainOnlyBuilder(
  spec: TrainOnlyMathSpec,
  source: RowSource | RowSource[],
  opts: TrainOnlyMathOptions,
): RLDatasetBuilder {
  return async () => {
    const rows: Row[] = [];
    for (const s of Array.isArray(source) ? source : [source]) rows.push(...(await loadRows(s)));
    const makeEnv = (p: Problem) =>
      new MathEnv(p.problem, p.answer, opts.renderer, {
        grader: opts.grader,
        convoPrefix: opts.convoPrefix ?? null,
        formatCoef: opts.formatCoef ?? 0.1,
      });
    const shuffled = shuffleRows(rows, opts.seed ?? 0);
    return {
      train: new ShuffledProblemRowsDataset(shuffled, spec, opts.batchSize, opts.groupSize, makeEnv),
      test: null,
    };
  };
}

/** POLARIS-Project/Polaris-Dataset-53K (`problem`, `answer`), tag `polaris`. */
export function polarisDatasetBuilder(
  source: RowSource | RowSource[],
  opts: TrainOnlyMathOptions,
): RLDatasetBuilder {
  return trainOnlyBuilder(POLARIS, source, opts);
}

/** zwhe99/DeepMath-103K (`question`, `final_answer`), tag `deepmath`. */
export function deepmathDatasetBuilder(
  source: RowSource | RowSource[],
  opts: TrainOnlyMathOptions,
): RLDatasetBuilder {
  return trainOnlyBuilder(DEEPMATH, source, opts);
}
