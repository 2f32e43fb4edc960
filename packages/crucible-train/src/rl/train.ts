import type { SamplingClientLike } from "@crucible/env";
import { runAsyncLoop } from "./async.js";
import type { RLConfig } from "./config.js";
import { strategyOf } from "./config.js";
import { finishLoop, type LoopSetup, type RLRunResult, runSamplerEvaluators, setupLoop } from "./loop.js";
import {
  type DataPostprocess,
  type Metrics,
  rolloutBatch,
  stepProgressMetrics,
  trainOnBatch,
} from "./step.js";
import { runStreamMinibatchLoop } from "./stream-minibatch.js";

/**
 * The synchronous loop (cookbook §A16): per step, evaluate on cadence, roll out the batch with the sampler of
 * the current weights, train, and take a fresh sampler after the optimizer step.
 */
export async function runSyncLoop(s: LoopSetup, postprocess?: DataPostprocess): Promise<RLRunResult> {
  const { cfg, tc, ckpt, logger } = s;
  const endStep = Math.min(cfg.maxSteps ?? Number.POSITIVE_INFINITY, s.train.length);
  const history: RLRunResult["history"] = [];
  const strategy = strategyOf(cfg.rolloutErrorTolerance);
  let sampler: SamplingClientLike = await tc.saveWeightsAndGetSamplingClient();
  for (let i = s.startStep; i < endStep; i++) {
    const tStart = performance.now();
    const metrics: Metrics = stepProgressMetrics(i, endStep, cfg.learningRate);
    if (cfg.evalEvery > 0 && i % cfg.evalEvery === 0 && s.evaluators.length > 0) {
      Object.assign(metrics, await runSamplerEvaluators(s.evaluators, sampler, { tc, ckpt, step: i }));
    }
    const batch = await rolloutBatch(s.train.getBatch(i), sampler, cfg, strategy);
    if (batch.groups.length === 0) {
      Object.assign(metrics, batch.metrics, { "time/total": (performance.now() - tStart) / 1000 });
      logger.logMetrics(metrics, i);
      history.push({ step: i, metrics });
      continue;
    }
    const r = await trainOnBatch(
      { cfg, tc, ckpt, startStep: s.startStep, klReference: s.klReference, postprocess },
      batch,
      i,
      i,
    );
    sampler = r.sampler;
    Object.assign(metrics, r.metrics, { "time/total": (performance.now() - tStart) / 1000 });
    logger.logMetrics(metrics, i);
    history.push({ step: i, metrics });
  }
  return finishLoop(s, endStep, history);
}

/**
 * `train.rl`: RL training, sync by default, async off-policy when `asyncConfig` is set, streaming minibatches
 * when `streamMinibatchConfig` is set. Resumes from `checkpoints.jsonl`.
 */
export async function trainRL(config: RLConfig): Promise<RLRunResult> {
  const s = await setupLoop(config);
  if (s.cfg.asyncConfig) return runAsyncLoop(s, s.cfg.asyncConfig);
  if (s.cfg.streamMinibatchConfig) return runStreamMinibatchLoop(s, s.cfg.streamMinibatchConfig);
  return runSyncLoop(s);
}
