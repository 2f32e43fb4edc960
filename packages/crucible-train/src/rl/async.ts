import type { EnvGroupBuilder, SamplingClientLike, TrajectoryGroup } from "@crucible/env";
import type { AsyncConfig } from "./config.js";
import { strategyOf } from "./config.js";
import { finishLoop, type LoopSetup, type RLRunResult, runSamplerEvaluators } from "./loop.js";
import { type Metrics, type RolledOutBatch, rolloutBatch, trainOnBatch } from "./step.js";

interface Rolled {
  batch: RolledOutBatch;
  samplingStep: number;
}

/**
 * Async off-policy loop: `groupsPerBatch` workers keep rolling out groups with whatever sampler is current while
 * the trainer consumes them. A group sampled at step s is used at step i only if `i − s ≤ maxStepsOffPolicy`;
 * staler groups are dropped and counted (`async/stale_groups_dropped`). Each step trains on `groupsPerBatch`
 * fresh groups and then publishes a new sampler.
 */
export async function runAsyncLoop(s: LoopSetup, ac: AsyncConfig): Promise<RLRunResult> {
  const { cfg, tc, ckpt, logger } = s;
  const endStep = Math.min(cfg.maxSteps ?? Number.POSITIVE_INFINITY, s.train.length);
  const strategy = strategyOf(cfg.rolloutErrorTolerance);
  const history: RLRunResult["history"] = [];

  const pending: EnvGroupBuilder[] = [];
  for (let b = s.startStep; b < endStep; b++) pending.push(...s.train.getBatch(b));

  let sampler: SamplingClientLike = await tc.saveWeightsAndGetSamplingClient();
  let samplerStep = s.startStep;
  let stop = false;
  const ready: Rolled[] = [];
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let workerError: unknown = null;

  const worker = async () => {
    while (!stop) {
      const b = pending.shift();
      if (!b) break;
      const step = samplerStep;
      try {
        const batch = await rolloutBatch([b], sampler, cfg, strategy);
        ready.push({ batch, samplingStep: step });
      } catch (e) {
        workerError = e;
        stop = true;
      }
      notify();
    }
  };
  const workers = Array.from({ length: Math.max(1, ac.groupsPerBatch) }, () => worker());
  let activeWorkers = workers.length;
  for (const w of workers)
    void w.finally(() => {
      activeWorkers--;
      notify();
    });

  let staleDropped = 0;
  let i = s.startStep;
  while (i < endStep) {
    const fresh: Rolled[] = [];
    let droppedThisStep = 0;
    while (fresh.length < ac.groupsPerBatch) {
      const r = ready.shift();
      if (r) {
        if (i - r.samplingStep > ac.maxStepsOffPolicy) {
          staleDropped++;
          droppedThisStep++;
        } else if (r.batch.groups.length > 0) fresh.push(r);
        continue;
      }
      if (workerError) throw workerError;
      if (activeWorkers === 0) break;
      await new Promise<void>((res) => {
        wake = res;
      });
    }
    if (workerError) throw workerError;
    if (fresh.length === 0) break; // nothing left to train on
    const tStart = performance.now();
    const metrics: Metrics = {
      "training_client/step": i,
      "optim/lr": cfg.learningRate,
      "progress/done_frac": (i + 1) / endStep,
    };
    if (cfg.evalEvery > 0 && i % cfg.evalEvery === 0 && s.evaluators.length > 0) {
      Object.assign(metrics, await runSamplerEvaluators(s.evaluators, sampler, { tc, ckpt, step: i }));
    }
    const merged: RolledOutBatch = { groups: [], tags: [], builders: [], metrics: {} };
    for (const r of fresh) {
      merged.groups.push(...r.batch.groups);
      merged.tags.push(...r.batch.tags);
      merged.builders.push(...r.batch.builders);
      for (const [k, v] of Object.entries(r.batch.metrics))
        if (!k.startsWith("time/")) merged.metrics[k] = (merged.metrics[k] ?? 0) + v;
    }
    const staleness = fresh.map((r) => i - r.samplingStep);
    const r = await trainOnBatch(
      { cfg, tc, ckpt, startStep: s.startStep, klReference: s.klReference },
      merged,
      i,
      Math.min(...fresh.map((f) => f.samplingStep)),
    );
    sampler = r.sampler;
    samplerStep = i + 1;
    Object.assign(metrics, r.metrics, {
      "async/stale_groups_dropped": droppedThisStep,
      "async/stale_groups_dropped_total": staleDropped,
      "async/staleness_max": Math.max(...staleness),
      "async/staleness_mean": staleness.reduce((a, b) => a + b, 0) / staleness.length,
      "async/groups": merged.groups.length,
      "time/total": (performance.now() - tStart) / 1000,
    });
    logger.logMetrics(metrics, i);
    history.push({ step: i, metrics });
    i++;
  }
  stop = true;
  await Promise.allSettled(workers);
  return finishLoop(s, i, history);
}

export type { TrajectoryGroup };
