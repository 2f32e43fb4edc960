import {
  assembleTrainingData,
  computeAdvantages,
  computeKlSampleTrain,
  computePostKl,
  computeTrajectoryMetrics,
  type DatumMetadata,
  doBatchRollouts,
  type EnvGroupBuilder,
  incorporateKlPenalty,
  type LogprobScorer,
  RolloutErrorCounter,
  type RolloutStrategy,
  removeConstantRewardGroups,
  type SamplingClientLike,
  type TrajectoryGroup,
  tinkerTokenCompleter,
} from "@crucible/env";
import type { Datum } from "@crucible/tinker-client";
import type { CheckpointManager } from "../checkpoint/manager.js";
import type { RLTrainingClient } from "./clients.js";
import type { ResolvedRLConfig } from "./config.js";
import {
  iterationDir,
  rolloutSummaries,
  writeRolloutSummaries,
  writeRolloutTranscripts,
} from "./rollout-log.js";
import { trainStep } from "./train-step.js";

export type Metrics = Record<string, number>;

/** Groups that survived rollout, with their builders' logging tags. */
export interface RolledOutBatch {
  groups: TrajectoryGroup[];
  tags: string[][];
  builders: EnvGroupBuilder[];
  metrics: Metrics;
}

/** Rolls out all groups of a batch concurrently; failed groups (when the strategy tolerates it) are dropped and counted. */
export async function rolloutBatch(
  builders: readonly EnvGroupBuilder[],
  sampler: SamplingClientLike,
  cfg: Pick<ResolvedRLConfig, "maxTokens" | "temperature" | "rolloutConcurrency" | "contextWindow">,
  strategy: RolloutStrategy,
): Promise<RolledOutBatch> {
  const policy = tinkerTokenCompleter({
    samplingClient: sampler,
    maxTokens: cfg.maxTokens,
    temperature: cfg.temperature,
    ...(cfg.contextWindow ? { contextWindow: cfg.contextWindow } : {}),
  });
  const counter = new RolloutErrorCounter();
  const t0 = performance.now();
  const results = await doBatchRollouts(builders, policy, {
    strategy,
    errorCounter: counter,
    ...(cfg.rolloutConcurrency ? { concurrency: cfg.rolloutConcurrency } : {}),
  });
  const out: RolledOutBatch = { groups: [], tags: [], builders: [], metrics: {} };
  results.forEach((g, i) => {
    if (!g) return;
    const b = builders[i] as EnvGroupBuilder;
    out.groups.push(g);
    out.builders.push(b);
    out.tags.push(b.loggingTags?.() ?? []);
  });
  out.metrics = { ...counter.getMetrics(), "time/sampling": (performance.now() - t0) / 1000 };
  return out;
}

/** Rewrites advantages/metrics of assembled datums (KL to a reference, teacher KL for distillation, …). */
export type DataPostprocess = (
  data: Datum[],
  metadata: DatumMetadata[],
  batch: RolledOutBatch,
) => Promise<{ data: Datum[]; metrics: Metrics }>;

/** Trajectory metrics, group-centred advantages, datums, then an optional KL penalty against a reference. */
export async function prepareMinibatch(
  batch: RolledOutBatch,
  opts: {
    klReference?: LogprobScorer | undefined;
    klPenaltyCoef: number;
    klDiscountFactor: number;
    postprocess?: DataPostprocess | undefined;
  },
): Promise<{ data: Datum[]; metadata: DatumMetadata[]; metrics: Metrics }> {
  const metrics: Metrics = computeTrajectoryMetrics(batch.groups, batch.tags);
  const advantages = computeAdvantages(batch.groups);
  let { data, metadata } = assembleTrainingData(batch.groups, advantages);
  if (opts.klReference && opts.klPenaltyCoef > 0) {
    const r = await incorporateKlPenalty(data, opts.klReference, opts.klPenaltyCoef, opts.klDiscountFactor);
    data = r.data;
    Object.assign(metrics, r.metrics);
  }
  if (opts.postprocess) {
    const r = await opts.postprocess(data, metadata, batch);
    data = r.data;
    Object.assign(metrics, r.metrics);
  }
  return { data, metadata, metrics };
}

/**
 * The sampler to use after `step` updates (cookbook `save_checkpoint_and_get_sampling_client`): on a periodic
 * save step, save state+sampler weights (`%06d`, loop state `{batch: step}`) and sample from the saved path;
 * otherwise an ephemeral sampler of the current weights. Never a stale sampler.
 */
export async function refreshSampler(
  tc: RLTrainingClient,
  ckpt: CheckpointManager,
  step: number,
  startStep: number,
): Promise<{ sampler: SamplingClientLike; statePath?: string }> {
  if (step > startStep) {
    const rec = await ckpt.maybeSave(step, { batch: step });
    if (rec?.samplerPath) {
      return {
        sampler: await tc.createSamplingClient(rec.samplerPath),
        ...(rec.statePath ? { statePath: rec.statePath } : {}),
      };
    }
  }
  return { sampler: await tc.saveWeightsAndGetSamplingClient() };
}

export interface TrainOnBatchContext {
  cfg: ResolvedRLConfig;
  tc: RLTrainingClient;
  ckpt: CheckpointManager;
  startStep: number;
  klReference?: LogprobScorer | undefined;
  postprocess?: DataPostprocess | undefined;
}

/**
 * Everything after rollouts for training step `i`: transcripts, optional constant-group filtering, datums,
 * optimizer step(s), sample/train KL, the next sampler, optional post-KL. Returns metrics and the new sampler.
 */
export async function trainOnBatch(
  ctx: TrainOnBatchContext,
  batch: RolledOutBatch,
  i: number,
  samplingClientStep: number,
): Promise<{ metrics: Metrics; sampler: SamplingClientLike; data: Datum[] }> {
  const { cfg } = ctx;
  const dir = iterationDir(cfg.logPath, i);
  if (cfg.numGroupsToLog > 0) {
    await writeRolloutTranscripts(
      dir,
      "train",
      `RL iteration ${i}`,
      batch.groups.slice(0, cfg.numGroupsToLog),
      cfg.tokenizer,
    );
  }
  if (cfg.rolloutJsonExport) {
    writeRolloutSummaries(
      dir,
      "train",
      rolloutSummaries(batch.groups, { split: "train", iteration: i, samplingClientStep, tags: batch.tags }),
    );
  }
  let used = batch;
  if (cfg.removeConstantRewardGroups) {
    const kept = new Set(removeConstantRewardGroups(batch.groups));
    const idx = batch.groups.map((g, k) => (kept.has(g) ? k : -1)).filter((k) => k >= 0);
    used = {
      groups: idx.map((k) => batch.groups[k] as TrajectoryGroup),
      tags: idx.map((k) => batch.tags[k] as string[]),
      builders: idx.map((k) => batch.builders[k] as EnvGroupBuilder),
      metrics: batch.metrics,
    };
  }
  const t0 = performance.now();
  const { data, metrics } = await prepareMinibatch(used, {
    klReference: ctx.klReference,
    klPenaltyCoef: cfg.klPenaltyCoef,
    klDiscountFactor: cfg.klDiscountFactor,
    postprocess: ctx.postprocess,
  });
  const t1 = performance.now();
  const { trainingLogprobs, metrics: optimMetrics } = await trainStep(ctx.tc, data, {
    learningRate: cfg.learningRate,
    numSubsteps: cfg.numSubsteps,
    lossFn: cfg.lossFn,
    lossFnConfig: cfg.lossFnConfig ?? null,
  });
  const t2 = performance.now();
  Object.assign(metrics, optimMetrics, computeKlSampleTrain(data, trainingLogprobs));
  const { sampler } = await refreshSampler(ctx.tc, ctx.ckpt, i + 1, ctx.startStep);
  if (cfg.computePostKl) Object.assign(metrics, await computePostKl(data, sampler));
  Object.assign(metrics, batch.metrics, {
    "time/prepare_minibatch": (t1 - t0) / 1000,
    "time/train_step": (t2 - t1) / 1000,
    "time/save_checkpoint": (performance.now() - t2) / 1000,
  });
  return { metrics, sampler, data };
}

/** The progress metrics every RL step (sync or streaming) starts its row with. */
export function stepProgressMetrics(step: number, endStep: number, learningRate: number): Metrics {
  return { "progress/batch": step, "optim/lr": learningRate, "progress/done_frac": (step + 1) / endStep };
}
