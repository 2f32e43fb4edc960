// Plain config fields shared by the SL loop (`supervised/train.py` Config) and the DPO loop
// (`preference/train_dpo.py` Config): same names and cookbook defaults except the learning rate.
import type { EvaluatorBuilder } from "@crucible/eval";
import type { Metrics, MetricsLogger } from "@crucible/log";
import { z } from "zod";
import type { ServiceClientLike } from "../client.js";
import type { SupervisedDatasetBuilder } from "../supervised/builders.js";

export function sharedLoopConfigFields(defaultLearningRate: number) {
  return {
    logPath: z.string().min(1),
    modelName: z.string().min(1),
    recipeName: z.string().optional(),
    loadCheckpointPath: z.string().nullable().default(null),
    rendererName: z.string().nullable().default(null),
    /** The launcher's resolved config, recorded in the run's user metadata (`config`, JSON). */
    runConfig: z.record(z.string(), z.unknown()).nullable().default(null),
    learningRate: z.number().positive().default(defaultLearningRate),
    lrSchedule: z.enum(["linear", "cosine", "constant"]).default("linear"),
    numEpochs: z.number().int().positive().default(1),
    loraRank: z.number().int().positive().default(32),
    /** LoRA init seed sent with create_model (TS extension; unset = the server picks one). */
    loraSeed: z.number().int().nullable().default(null),
    baseUrl: z.string().nullable().default(null),
    saveEvery: z.number().int().nonnegative().default(20),
    evalEvery: z.number().int().nonnegative().default(10),
    infrequentEvalEvery: z.number().int().nonnegative().default(100),
    ttlSeconds: z.number().int().positive().nullable().default(604800),
    rollingSaveEvery: z.number().int().nonnegative().default(0),
    rollingTtlSeconds: z.number().int().positive().default(7200),
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.95),
    adamEps: z.number().positive().default(1e-8),
    wandbProject: z.string().nullable().default(null),
    wandbName: z.string().nullable().default(null),
    maxSteps: z.number().int().positive().nullable().default(null),
  };
}

/** What an SL or DPO run needs besides its plain fields: the data, evaluators, the service and the metrics sink. */
export interface DatasetLoopParts {
  /** For DPO usually a DPODatasetBuilderFromComparisons (interleaved chosen/rejected datums). */
  datasetBuilder: SupervisedDatasetBuilder;
  evaluatorBuilders?: EvaluatorBuilder[];
  infrequentEvaluatorBuilders?: EvaluatorBuilder[];
  /** The Tinker service to train on (hosted, any Tinker server, or the embedded local backend). */
  serviceClient: ServiceClientLike;
  /** Metrics sink; default `setupLogging` in `logPath` (config.json, metrics.jsonl, logs.log, console). */
  logger?: MetricsLogger;
  /** Print the per-step metrics table to stdout (default true). */
  consoleMetrics?: boolean;
  /** Called after each step's metrics are logged (progress hooks, tests). */
  onStep?: (step: number, metrics: Metrics) => void;
}
