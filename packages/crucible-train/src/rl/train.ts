import type { LogprobScorer, RLDataset, SamplingClientLike } from "@crucible/env";
import { type MetricsLogger, setupLogging } from "@crucible/log";
import { CheckpointManager } from "../checkpoint/manager.js";
import { getLastCheckpoint } from "../checkpoint/record.js";
import { checkpointClientFor } from "../client.js";
import { runAsyncLoop } from "./async.js";
import { createRunTrainingClient, type RLTrainingClient } from "./clients.js";
import { type ResolvedRLConfig, type RLConfig, resolveRLConfig, strategyOf } from "./config.js";
import { RLTestSetEvaluator, type SamplingClientEvaluator } from "./evaluator.js";
import {
  type DataPostprocess,
  type Metrics,
  rolloutBatch,
  stepProgressMetrics,
  trainOnBatch,
} from "./step.js";
import { runStreamMinibatchLoop } from "./stream-minibatch.js";

export interface RLRunResult {
  /** Steps trained in this call (resumed runs count from their start). */
  stepsTrained: number;
  startStep: number;
  endStep: number;
  /** Per-step metrics in order (what was logged). */
  history: { step: number; metrics: Metrics }[];
  trainingClient: RLTrainingClient;
}

/** Shared setup of RL-style loops (RL and on-policy distillation). */
export interface LoopSetup {
  cfg: ResolvedRLConfig;
  tc: RLTrainingClient;
  ckpt: CheckpointManager;
  logger: MetricsLogger;
  ownsLogger: boolean;
  startStep: number;
  train: RLDataset;
  evaluators: SamplingClientEvaluator[];
  klReference?: LogprobScorer | undefined;
}

export async function setupLoop(
  config: RLConfig,
  opts: { withTestEvaluator?: boolean } = {},
): Promise<LoopSetup> {
  const cfg = resolveRLConfig(config);
  const resume = getLastCheckpoint(cfg.logPath);
  const startStep = resume?.batch ?? 0;
  const ownsLogger = !cfg.metricsLogger;
  const logger =
    cfg.metricsLogger ??
    (await setupLogging({
      logDir: cfg.logPath,
      config: { ...config, serviceClient: undefined, datasetBuilder: undefined },
      console: null,
    }));
  const tc = await createRunTrainingClient(cfg.serviceClient, {
    modelName: cfg.modelName,
    loraRank: cfg.loraRank,
    resumeStatePath: resume?.statePath,
    loadCheckpointPath: cfg.loadCheckpointPath,
  });
  const { train, test } = await cfg.datasetBuilder();
  const evaluators = [...cfg.evaluators];
  if (test && opts.withTestEvaluator !== false)
    evaluators.push(
      new RLTestSetEvaluator(
        test,
        cfg.maxTokens,
        "test",
        strategyOf(cfg.rolloutErrorTolerance),
        cfg.rolloutConcurrency,
      ),
    );
  const ckpt = new CheckpointManager({
    client: checkpointClientFor(tc, cfg.serviceClient),
    logPath: cfg.logPath,
    saveEvery: cfg.saveEvery,
    ttlSeconds: cfg.ttlSeconds,
  });
  let klReference: LogprobScorer | undefined;
  if (cfg.klPenaltyCoef > 0 && cfg.klReferenceConfig) {
    klReference = await cfg.serviceClient.createSamplingClient({
      baseModel: cfg.klReferenceConfig.baseModel,
      ...(cfg.klReferenceConfig.loadCheckpointPath
        ? { modelPath: cfg.klReferenceConfig.loadCheckpointPath }
        : {}),
    });
  }
  return { cfg, tc, ckpt, logger, ownsLogger, startStep, train, evaluators, klReference };
}

export async function runSamplerEvaluators(
  evaluators: readonly SamplingClientEvaluator[],
  sampler: SamplingClientLike,
): Promise<Metrics> {
  const results = await Promise.all(evaluators.map((e) => e.evaluate(sampler)));
  return Object.assign({}, ...results);
}

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
      Object.assign(metrics, await runSamplerEvaluators(s.evaluators, sampler));
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

export async function finishLoop(
  s: LoopSetup,
  endStep: number,
  history: RLRunResult["history"],
): Promise<RLRunResult> {
  const trained = endStep > s.startStep;
  if (trained) await s.ckpt.saveFinal({ batch: endStep });
  else await s.ckpt.finalize();
  await s.logger.sync?.();
  if (s.ownsLogger) await s.logger.close();
  return {
    stepsTrained: Math.max(0, endStep - s.startStep),
    startStep: s.startStep,
    endStep,
    history,
    trainingClient: s.tc,
  };
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
