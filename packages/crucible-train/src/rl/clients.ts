import type { ServiceClient } from "@crucible/tinker-client";
import type { ServiceClientLike, TrainingClientLike } from "../client.js";

/** The training-client calls the RL and distillation loops make (the shared `TrainingClientLike`). */
export type RLTrainingClient = TrainingClientLike;

/** Service-client calls of the RL loops: the shared ones plus sampling clients for KL references and teachers. */
export type RLServiceClient = ServiceClientLike & Pick<ServiceClient, "createSamplingClient">;

/**
 * Training client for a run: resume from the last checkpoint with its optimizer state; else load weights only
 * from `loadCheckpointPath`; else a fresh LoRA.
 */
export async function createRunTrainingClient(
  service: RLServiceClient,
  opts: {
    modelName: string;
    loraRank: number;
    resumeStatePath?: string | undefined;
    loadCheckpointPath?: string | null | undefined;
    userMetadata?: Record<string, string>;
  },
): Promise<RLTrainingClient> {
  const meta = opts.userMetadata ? { userMetadata: opts.userMetadata } : {};
  if (opts.resumeStatePath)
    return service.createTrainingClientFromStateWithOptimizer(opts.resumeStatePath, meta);
  if (opts.loadCheckpointPath) return service.createTrainingClientFromState(opts.loadCheckpointPath, meta);
  return service.createLoraTrainingClient({
    baseModel: opts.modelName,
    rank: opts.loraRank,
    ...meta,
  });
}
