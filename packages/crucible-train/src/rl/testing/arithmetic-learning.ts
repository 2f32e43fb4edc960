// "Does RL learn?" on the embedded backend, shared by the e2e test and tools/bench/rl/learns.mts: the built-in
// byte-level tiny model gets an SL warm start on x + y answers, then RL on the arithmetic env over a small
// pool of pairs the SL data never contained. The warm start teaches the answer format and, by generalising, gets
// part of the pool's sums right, so RL has groups with mixed rewards from the first step and something to learn.
import { join } from "node:path";
import {
  ArithmeticEnv,
  type EnvGroupBuilder,
  ProblemGroupBuilder,
  RandomState,
  type RLDatasetBuilder,
} from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import { trainRL } from "../train.js";
import { additionDatum, type LocalSetup, slWarmStart } from "./local-arithmetic.js";

export const BYTES_MODEL = "crucible/tiny-bytes";

export interface ArithmeticLearningOptions {
  /** Pairs (x, y) with 0 ≤ x, y < maxOperand. */
  maxOperand: number;
  /** Pairs RL trains on; kept out of the SL data. */
  rlPoolSize: number;
  slSteps: number;
  slBatchSize: number;
  slLearningRate: number;
  rlSteps: number;
  groupsPerBatch: number;
  groupSize: number;
  rlLearningRate: number;
  loraRank: number;
  maxTokens: number;
  seed: number;
}

export const LEARNING_DEFAULTS: ArithmeticLearningOptions = {
  maxOperand: 20,
  rlPoolSize: 32,
  slSteps: 400,
  slBatchSize: 32,
  slLearningRate: 1e-3,
  rlSteps: 20,
  groupsPerBatch: 32,
  groupSize: 4,
  rlLearningRate: 3e-4,
  loraRank: 32,
  maxTokens: 16,
  seed: 0,
};

export interface ArithmeticLearningResult {
  slNll: number[];
  /** Per RL step: mean total reward, correctness and format of the step's samples. */
  reward: number[];
  correct: number[];
  format: number[];
}

/** The RL pool and the SL pairs: a seeded permutation of [0, maxOperand)², split. */
export function splitPairs(o: Pick<ArithmeticLearningOptions, "maxOperand" | "rlPoolSize" | "seed">): {
  pool: [number, number][];
  sl: [number, number][];
} {
  const all: [number, number][] = [];
  for (let x = 0; x < o.maxOperand; x++) for (let y = 0; y < o.maxOperand; y++) all.push([x, y]);
  const order = new RandomState(o.seed).permutation(all.length).map((i) => all[i] as [number, number]);
  return { pool: order.slice(0, o.rlPoolSize), sl: order.slice(o.rlPoolSize) };
}

/**
 * Batch i takes the next groupsPerBatch pairs of the pool, cyclically. With groupsPerBatch = pool size every
 * step sees the whole pool, so the per-step reward moves with the policy, not with which problems were drawn.
 */
function poolDataset(
  renderer: Renderer,
  pool: [number, number][],
  o: ArithmeticLearningOptions,
): RLDatasetBuilder {
  const train = {
    length: o.rlSteps,
    getBatch: (i: number): EnvGroupBuilder[] =>
      Array.from({ length: o.groupsPerBatch }, (_, j) => {
        const [x, y] = pool[(i * o.groupsPerBatch + j) % pool.length] as [number, number];
        return new ProblemGroupBuilder(
          () => new ArithmeticEnv(x, y, renderer, null),
          o.groupSize,
          "arithmetic",
        );
      }),
  };
  return async () => ({ train, test: null });
}

export async function runArithmeticLearning(
  local: LocalSetup,
  opts: Partial<ArithmeticLearningOptions> = {},
): Promise<ArithmeticLearningResult> {
  const o = { ...LEARNING_DEFAULTS, ...opts };
  const { pool, sl } = splitPairs(o);
  const tc = await local.service.createLoraTrainingClient({
    baseModel: BYTES_MODEL,
    rank: o.loraRank,
    seed: o.seed,
  });
  const rng = new RandomState(o.seed + 10_000);
  const slNll = await slWarmStart(tc, local.renderer, {
    steps: o.slSteps,
    batchSize: o.slBatchSize,
    learningRate: o.slLearningRate,
    batch: () =>
      Array.from({ length: o.slBatchSize }, () => {
        const [x, y] = sl[rng.randint(0, sl.length)] as [number, number];
        return additionDatum(local.renderer, x, y);
      }),
  });
  const slState = (await tc.saveState(`sl_${o.seed}`)).path;
  const res = await trainRL({
    serviceClient: local.service,
    modelName: BYTES_MODEL,
    loraRank: o.loraRank,
    loadCheckpointPath: slState,
    learningRate: o.rlLearningRate,
    maxTokens: o.maxTokens,
    logPath: join(local.dir, `rl-learning-${o.seed}-${Date.now()}`),
    tokenizer: local.tokenizer,
    datasetBuilder: poolDataset(local.renderer, pool, o),
    maxSteps: o.rlSteps,
    saveEvery: 0,
    evalEvery: 0,
    numGroupsToLog: 2, // transcripts of two groups per step, for looking at what the policy does
  });
  const metric = (k: string) => res.history.map((h) => h.metrics[k] ?? Number.NaN);
  return {
    slNll,
    reward: metric("env/all/reward/total"),
    correct: metric("env/all/correct"),
    format: metric("env/all/format"),
  };
}
