// What the RL-style loops share (sync, async off-policy, streaming minibatches, on-policy distillation):
// setting up the run (config, logger, training client, resume, evaluators, checkpoints) and finishing it.
// The loops import this module; none of them imports another, so the loop files form no import cycle.
import type { LogprobScorer, RLDataset, SamplingClientLike } from "@crucible/env";
import { type MetricsLogger, setupLogging } from "@crucible/log";
import { CheckpointManager } from "../checkpoint/manager.js";
import { getLastCheckpoint } from "../checkpoint/record.js";
import { checkpointClientFor } from "../client.js";
import { evalSampler } from "../utils/evals.js";
import { runMetadata } from "../utils/run-metadata.js";
import { createRunTrainingClient, type RLTrainingClient } from "./clients.js";
import { type ResolvedRLConfig, type RLConfig, resolveRLConfig, strategyOf } from "./config.js";
import { RLTestSetEvaluator, type SamplingClientEvaluator } from "./evaluator.js";
import type { Metrics } from "./step.js";

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
      config: { ...config, serviceClient: undefined, datasetBuilder: undefined, runConfig: undefined },
      console: null,
      ...(cfg.wandbProject && { wandbProject: cfg.wandbProject }),
      ...(cfg.wandbName && { wandbName: cfg.wandbName }),
    }));
  const tc = await createRunTrainingClient(cfg.serviceClient, {
    modelName: cfg.modelName,
    loraRank: cfg.loraRank,
    resumeStatePath: resume?.statePath,
    loadCheckpointPath: cfg.loadCheckpointPath,
    userMetadata: runMetadata({
      recipeName: cfg.recipeName,
      rendererName: cfg.rendererName,
      config: cfg.runConfig,
    }),
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

/**
 * Runs the sampling evaluators on `sampler` (the current weights). Given the loop's `round` (its training client,
 * checkpoints and step), evaluators that want results tied to saved weights get them: the weights are saved as
 * `eval_<step>` sampler weights and all evaluators sample those.
 */
export async function runSamplerEvaluators(
  evaluators: readonly SamplingClientEvaluator[],
  sampler: SamplingClientLike,
  round?: { tc: RLTrainingClient; ckpt: CheckpointManager; step: number },
): Promise<Metrics> {
  const snap = round
    ? await evalSampler(evaluators, round.tc, async () => sampler, {
        step: round.step,
        saveSampler: (step) => round.ckpt.saveForEval(step),
      })
    : { sampler, context: undefined };
  const results = await Promise.all(evaluators.map((e) => e.evaluate(snap.sampler, snap.context)));
  return Object.assign({}, ...results);
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
