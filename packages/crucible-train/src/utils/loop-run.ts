// The parts of a dataset loop run that the SL loop and the DPO loop share: where it logs, what it resumes from, the
// training client it trains, and the epoch × batch walk with the cookbook's step numbering and final position.
import { homedir } from "node:os";
import { type MetricsLogger, setupLogging, type TextLogger } from "@crucible/log";
import type { z } from "zod";
import { type CheckpointRecord, getLastCheckpoint } from "../checkpoint/record.js";
import type { TrainingClientLike } from "../client.js";
import { ConfigurationError } from "../errors.js";
import type { DatasetLoopParts, sharedLoopConfigFields } from "./loop-config.js";
import { runMetadata } from "./run-metadata.js";

export type SharedLoopConfig = z.output<z.ZodObject<ReturnType<typeof sharedLoopConfigFields>>>;

export interface LoopRun {
  logPath: string;
  /** The last checkpoint with a state path in `logPath`, when the run resumes. */
  resume: CheckpointRecord | undefined;
  startEpoch: number;
  startBatch: number;
  logger: MetricsLogger;
  tc: TrainingClientLike;
  /** Closes the logger when the run made it (a caller-given logger stays open). */
  close(): Promise<void>;
}

/**
 * Opens a run: resolves `~` in the log path, finds the checkpoint to resume from, sets up logging (unless the caller
 * gave a logger) and creates the training client — from the resumed state with its optimizer, from
 * `loadCheckpointPath` without it, or a fresh LoRA.
 */
export async function openLoopRun(
  cfg: SharedLoopConfig,
  parts: DatasetLoopParts,
  log: TextLogger,
): Promise<LoopRun> {
  const logPath = cfg.logPath.startsWith("~") ? homedir() + cfg.logPath.slice(1) : cfg.logPath;
  const resume = getLastCheckpoint(logPath);
  const logger =
    parts.logger ??
    (await setupLogging({
      logDir: logPath,
      config: { ...cfg, runConfig: undefined, datasetBuilder: parts.datasetBuilder.constructor.name },
      ...(parts.consoleMetrics === false && { console: null, echoLogs: false }),
      ...(cfg.wandbProject && { wandbProject: cfg.wandbProject }),
      ...(cfg.wandbName && { wandbName: cfg.wandbName }),
    }));
  const userMetadata = runMetadata({
    recipeName: cfg.recipeName,
    rendererName: cfg.rendererName,
    config: cfg.runConfig,
  });
  const service = parts.serviceClient;
  let tc: TrainingClientLike;
  if (resume?.statePath) {
    log.info(`resuming from ${resume.statePath} (epoch ${resume.epoch ?? 0}, batch ${resume.batch ?? 0})`);
    tc = await service.createTrainingClientFromStateWithOptimizer(resume.statePath, { userMetadata });
  } else if (cfg.loadCheckpointPath) {
    tc = await service.createTrainingClientFromState(cfg.loadCheckpointPath, { userMetadata });
  } else {
    tc = await service.createLoraTrainingClient({
      baseModel: cfg.modelName,
      rank: cfg.loraRank,
      userMetadata,
      ...(cfg.loraSeed !== null && { seed: cfg.loraSeed }),
    });
  }
  return {
    logPath,
    resume,
    startEpoch: resume?.epoch ?? 0,
    startBatch: resume?.batch ?? 0,
    logger,
    tc,
    close: async () => {
      if (!parts.logger) await logger.close();
    },
  };
}

/** Steps the loop runs: every batch of every epoch, capped by `maxSteps`; an empty training set is a config error. */
export function loopTotalSteps(nBatches: number, numEpochs: number, maxSteps: number | null): number {
  if (nBatches === 0)
    throw new ConfigurationError("dataset: the training set has no full batch; lower batch_size");
  const all = nBatches * numEpochs;
  return maxSteps === null ? all : Math.min(all, maxSteps);
}

export interface LoopWalk {
  startEpoch: number;
  startBatch: number;
  nBatches: number;
  numEpochs: number;
  totalSteps: number;
  /** Called at the start of each epoch (the dataset reshuffles for it). */
  setEpoch(epoch: number): void;
}

/**
 * Calls `step` for each (epoch, batch) from the resume point on, with step = epoch × nBatches + batch, until
 * `totalSteps`. Returns where a checkpoint after the last step resumes: the next batch to run.
 */
export async function walkLoop(
  w: LoopWalk,
  step: (epoch: number, batch: number, step: number) => Promise<void>,
): Promise<{ epoch: number; batch: number }> {
  for (let epoch = w.startEpoch; epoch < w.numEpochs; epoch++) {
    w.setEpoch(epoch);
    for (let batch = epoch === w.startEpoch ? w.startBatch : 0; batch < w.nBatches; batch++) {
      const s = epoch * w.nBatches + batch;
      if (s >= w.totalSteps)
        return { epoch: Math.floor(w.totalSteps / w.nBatches), batch: w.totalSteps % w.nBatches };
      await step(epoch, batch, s);
    }
  }
  return { epoch: w.numEpochs, batch: 0 };
}
