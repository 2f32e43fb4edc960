// Streaming-minibatch RL (cookbook `rl/train.py` `do_sync_training_with_stream_minibatch`): still on-policy —
// every step samples with a fresh sampler of the current weights — but the trainer does not wait for the whole
// batch. Each group is pushed into a queue as soon as its rollout finishes; once `groupsPerMinibatch` groups
// have arrived their datums go to `forward_backward` right away, and after `numMinibatches` minibatches one
// `optim_step` closes the substep. Sampling of the remaining groups overlaps with training on the first ones.
import {
  allSame,
  computeKlSampleTrain,
  computePostKl,
  computeTrajectoryMetrics,
  doBatchRollouts,
  type EnvGroupBuilder,
  getTotalRewards,
  mapWithConcurrency,
  RolloutErrorCounter,
  removeMask,
  type SamplingClientLike,
  type TrajectoryGroup,
  tinkerTokenCompleter,
} from "@crucible/env";
import type { Datum, ForwardBackwardOutput } from "@crucible/tinker-client";
import { strategyOf } from "./config.js";
import { finishLoop, type LoopSetup, type RLRunResult, runSamplerEvaluators } from "./loop.js";
import {
  iterationDir,
  rolloutSummaries,
  writeRolloutSummaries,
  writeRolloutTranscripts,
} from "./rollout-log.js";
import {
  type DataPostprocess,
  type Metrics,
  prepareMinibatch,
  refreshSampler,
  stepProgressMetrics,
  type TrainOnBatchContext,
} from "./step.js";
import {
  type StreamMinibatchConfig,
  type StreamMinibatchPlan,
  streamMinibatchPlan,
} from "./stream-minibatch-plan.js";

/** A group as it arrives from its rollout task (cookbook `WrappedTrajectoryGroup`). */
export interface ArrivedGroup {
  group: TrajectoryGroup;
  builder: EnvGroupBuilder;
  /** Position of the builder in the dataset batch (for transcripts, which log the first groups). */
  index: number;
  tags: string[];
  samplingClientStep: number;
  /** Seconds from rollout start to arrival. */
  seconds: number;
}

/**
 * Single-consumer queue fed by a known number of producers. `next()` resolves with the next item in arrival
 * order, `{done: true}` once every producer has delivered and the queue is empty, or rejects with the first
 * producer failure.
 */
export class ArrivalQueue<T> {
  private items: T[] = [];
  private waiter: {
    resolve: (r: IteratorResult<T, undefined>) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private error: { e: unknown } | null = null;
  constructor(private remaining: number) {}

  put(item: T): void {
    this.remaining--;
    this.items.push(item);
    this.wake();
  }

  fail(e: unknown): void {
    this.error ??= { e };
    this.wake();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.error) {
      this.waiter = null;
      w.reject(this.error.e);
    } else if (this.items.length > 0) {
      this.waiter = null;
      w.resolve({ done: false, value: this.items.shift() as T });
    } else if (this.remaining <= 0) {
      this.waiter = null;
      w.resolve({ done: true, value: undefined });
    }
  }
}

/** `sampling_client/step_*` and `time/sampling_time_*` over the trained groups (cookbook names). */
export function samplingClientMetrics(groups: readonly ArrivedGroup[]): Metrics {
  if (groups.length === 0) return {};
  const steps = groups.map((g) => g.samplingClientStep);
  const times = groups.map((g) => g.seconds);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    "sampling_client/step_max": Math.max(...steps),
    "sampling_client/step_min": Math.min(...steps),
    "sampling_client/step_mean": mean(steps),
    "time/sampling_time_max": Math.max(...times),
    "time/sampling_time_min": Math.min(...times),
    "time/sampling_time_mean": mean(times),
  };
}

/** Starts every group's rollout with `sampler`; each result (or null when filtered/failed) lands in the queue. */
function startRollouts(
  builders: readonly EnvGroupBuilder[],
  sampler: SamplingClientLike,
  ctx: TrainOnBatchContext,
  step: number,
  counter: RolloutErrorCounter,
): { queue: ArrivalQueue<ArrivedGroup | null>; done: Promise<unknown> } {
  const { cfg } = ctx;
  const queue = new ArrivalQueue<ArrivedGroup | null>(builders.length);
  const policy = tinkerTokenCompleter({
    samplingClient: sampler,
    maxTokens: cfg.maxTokens,
    temperature: cfg.temperature,
    ...(cfg.contextWindow ? { contextWindow: cfg.contextWindow } : {}),
  });
  const strategy = strategyOf(cfg.rolloutErrorTolerance);
  const done = mapWithConcurrency(builders, cfg.rolloutConcurrency ?? builders.length, async (b, index) => {
    const t0 = performance.now();
    try {
      const [g] = await doBatchRollouts([b], policy, { strategy, errorCounter: counter });
      // Constant-reward filtering happens per group here (the cookbook's streaming path does the same).
      const keep = g && !(cfg.removeConstantRewardGroups && allSame(getTotalRewards(g))) ? g : null;
      queue.put(
        keep
          ? {
              group: keep,
              builder: b,
              index,
              tags: b.loggingTags?.() ?? [],
              samplingClientStep: step,
              seconds: (performance.now() - t0) / 1000,
            }
          : null,
      );
    } catch (e) {
      queue.fail(e);
    }
  });
  return { queue, done };
}

function asBatch(groups: readonly ArrivedGroup[]) {
  return {
    groups: groups.map((g) => g.group),
    tags: groups.map((g) => g.tags),
    builders: groups.map((g) => g.builder),
    metrics: {},
  };
}

/**
 * One streaming training iteration: consumes groups as they arrive, `forward_backward` per minibatch, one
 * `optim_step` per substep, then sample/train KL over the whole batch and the next sampler (checkpoint `i+1`).
 * If the dataset batch holds fewer groups than `groupsPerBatch`, the last minibatch is trained short instead of
 * waiting forever. Returns null when no group survived (nothing trained, sampler unchanged).
 */
export async function trainStepStreaming(
  ctx: TrainOnBatchContext,
  queue: ArrivalQueue<ArrivedGroup | null>,
  i: number,
  plan: StreamMinibatchPlan & { numSubsteps: number; numMinibatches: number },
): Promise<{ metrics: Metrics; sampler: SamplingClientLike; groups: ArrivedGroup[] } | null> {
  const { cfg, tc } = ctx;
  const adam = { learningRate: cfg.learningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8 };
  const metrics: Metrics = {};
  const allData: Datum[] = [];
  const trainingLogprobs: number[][] = [];
  const trained: ArrivedGroup[] = [];
  let exhausted = false;
  const t0 = performance.now();
  for (let substep = 0; substep < plan.numSubsteps && !exhausted; substep++) {
    const pendingFb: Promise<ForwardBackwardOutput>[] = [];
    let arrived: (ArrivedGroup | null)[] = [];
    let minibatch = 0;
    while (minibatch < plan.numMinibatches) {
      const r = await queue.next();
      if (r.done) exhausted = true;
      else arrived.push(r.value);
      if (!exhausted && arrived.length < plan.groupsPerMinibatch) continue;
      // Filtered/failed groups count toward the minibatch quota and are then dropped (as in the cookbook).
      const kept = arrived.filter((g): g is ArrivedGroup => g !== null);
      arrived = [];
      minibatch++;
      if (kept.length > 0) {
        const prepared = await prepareMinibatch(asBatch(kept), {
          klReference: ctx.klReference,
          klPenaltyCoef: cfg.klPenaltyCoef,
          klDiscountFactor: cfg.klDiscountFactor,
          postprocess: ctx.postprocess,
        });
        Object.assign(metrics, prepared.metrics);
        const sent = prepared.data.map(removeMask);
        const fb = Promise.resolve(
          cfg.lossFnConfig
            ? tc.forwardBackward(sent, cfg.lossFn, cfg.lossFnConfig)
            : tc.forwardBackward(sent, cfg.lossFn),
        );
        fb.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
        pendingFb.push(fb);
        allData.push(...prepared.data);
        trained.push(...kept);
      }
      if (exhausted) break;
    }
    if (pendingFb.length === 0) continue;
    // Enqueue the optimizer step before awaiting the minibatches so it lands right behind them.
    const optim = Promise.resolve(tc.optimStep(adam));
    optim.catch(() => undefined);
    for (const fb of pendingFb) {
      const out = await fb;
      for (const o of out.lossFnOutputs) trainingLogprobs.push(o.logprobs?.data ?? []);
      Object.assign(metrics, out.metrics);
    }
    const om = await optim;
    if (om.metrics) Object.assign(metrics, om.metrics);
  }
  if (trained.length === 0) return null;
  const t1 = performance.now();
  Object.assign(
    metrics,
    samplingClientMetrics(trained),
    computeTrajectoryMetrics(
      trained.map((g) => g.group),
      trained.map((g) => g.tags),
    ),
    computeKlSampleTrain(allData, trainingLogprobs),
  );
  const { sampler } = await refreshSampler(tc, ctx.ckpt, i + 1, ctx.startStep);
  if (cfg.computePostKl) Object.assign(metrics, await computePostKl(allData, sampler));
  Object.assign(metrics, {
    "time/train_step": (t1 - t0) / 1000,
    "time/save_checkpoint": (performance.now() - t1) / 1000,
  });
  return { metrics, sampler, groups: trained };
}

/** Writes the iteration's transcripts (first `numGroupsToLog` groups of the batch) and rollout summaries. */
async function logIteration(ctx: TrainOnBatchContext, i: number, groups: readonly ArrivedGroup[]) {
  const { cfg } = ctx;
  const dir = iterationDir(cfg.logPath, i);
  if (cfg.numGroupsToLog > 0) {
    const first = [...groups].sort((a, b) => a.index - b.index).slice(0, cfg.numGroupsToLog);
    await writeRolloutTranscripts(
      dir,
      "train",
      `RL iteration ${i}`,
      first.map((g) => g.group),
      cfg.tokenizer,
    );
  }
  if (cfg.rolloutJsonExport) {
    writeRolloutSummaries(
      dir,
      "train",
      rolloutSummaries(
        groups.map((g) => g.group),
        { split: "train", iteration: i, samplingClientStep: i, tags: groups.map((g) => g.tags) },
      ),
    );
  }
}

/**
 * The streaming loop: per step, evaluate on cadence (and on the last step, as the cookbook does), start all
 * rollouts with the current sampler, train minibatches as they fill, then take a fresh sampler.
 */
export async function runStreamMinibatchLoop(
  s: LoopSetup,
  smc: StreamMinibatchConfig,
  postprocess?: DataPostprocess,
): Promise<RLRunResult> {
  const { cfg, tc, ckpt, logger } = s;
  const plan = {
    ...streamMinibatchPlan(smc, cfg.numSubsteps),
    numSubsteps: cfg.numSubsteps,
    numMinibatches: smc.numMinibatches,
  };
  const ctx: TrainOnBatchContext = {
    cfg,
    tc,
    ckpt,
    startStep: s.startStep,
    klReference: s.klReference,
    postprocess,
  };
  const endStep = Math.min(cfg.maxSteps ?? Number.POSITIVE_INFINITY, s.train.length);
  const history: RLRunResult["history"] = [];
  let sampler: SamplingClientLike = await tc.saveWeightsAndGetSamplingClient();
  for (let i = s.startStep; i < endStep; i++) {
    const tStart = performance.now();
    const metrics: Metrics = stepProgressMetrics(i, endStep, cfg.learningRate);
    const evalNow = (cfg.evalEvery > 0 && i % cfg.evalEvery === 0) || i === endStep - 1;
    if (evalNow && s.evaluators.length > 0) {
      Object.assign(metrics, await runSamplerEvaluators(s.evaluators, sampler, { tc, ckpt, step: i }));
    }
    const counter = new RolloutErrorCounter();
    const { queue, done } = startRollouts(s.train.getBatch(i), sampler, ctx, i, counter);
    let r: Awaited<ReturnType<typeof trainStepStreaming>>;
    try {
      r = await trainStepStreaming(ctx, queue, i, plan);
    } finally {
      // Groups beyond groupsPerBatch (if the batch has more) finish before the next step samples anew.
      await done;
    }
    if (r) {
      sampler = r.sampler;
      await logIteration(ctx, i, r.groups);
      Object.assign(metrics, r.metrics);
    }
    Object.assign(metrics, counter.getMetrics(), { "time/total": (performance.now() - tStart) / 1000 });
    logger.logMetrics(metrics, i);
    history.push({ step: i, metrics });
  }
  return finishLoop(s, endStep, history);
}
