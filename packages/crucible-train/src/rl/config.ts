import type { RLDatasetBuilder, RolloutStrategy } from "@crucible/env";
import { failFast, retryOnFailure } from "@crucible/env";
import type { MetricsLogger } from "@crucible/log";
import { ConfigurationError } from "../errors.js";
import type { RLServiceClient } from "./clients.js";
import type { SamplingClientEvaluator } from "./evaluator.js";
import type { Decoder } from "./rollout-log.js";
import { type StreamMinibatchConfig, streamMinibatchPlan } from "./stream-minibatch-plan.js";
import type { RLLossFn } from "./train-step.js";

/** Reference model for the KL penalty: a base model, optionally with a checkpoint. */
export interface KLReferenceConfig {
  baseModel: string;
  loadCheckpointPath?: string | null;
}

/** Off-policy async mode: sampling continues while training; groups older than `maxStepsOffPolicy` are dropped. */
export interface AsyncConfig {
  maxStepsOffPolicy: number;
  groupsPerBatch: number;
}

/** RL loop configuration (cookbook `rl/train.py` Config; defaults in comments). */
export interface RLConfig {
  serviceClient: RLServiceClient;
  modelName: string;
  learningRate: number;
  datasetBuilder: RLDatasetBuilder;
  maxTokens: number;
  logPath: string;
  recipeName?: string;
  /** Renderer the run's prompts are rendered with; recorded in the run's user metadata (`renderer_name`). */
  rendererName?: string | null;
  /** The launcher's resolved config, recorded in the run's user metadata (`config`, JSON). */
  runConfig?: Record<string, unknown> | null;
  /** Decodes tokens in transcripts (else token ids are shown). */
  tokenizer?: Decoder;
  /** 20; 0 disables. */
  evalEvery?: number;
  /** 20; 0 disables periodic checkpoints. */
  saveEvery?: number;
  /** 604800 */
  ttlSeconds?: number;
  loadCheckpointPath?: string | null;
  evaluators?: SamplingClientEvaluator[];
  /** 0 (off). */
  klPenaltyCoef?: number;
  /** 0 */
  klDiscountFactor?: number;
  klReferenceConfig?: KLReferenceConfig | null;
  /** "importance_sampling" */
  lossFn?: RLLossFn;
  lossFnConfig?: Record<string, number> | null;
  /** 1 */
  numSubsteps?: number;
  /** 32 */
  loraRank?: number;
  /** 1.0 */
  temperature?: number;
  /** false */
  computePostKl?: boolean;
  /** false */
  removeConstantRewardGroups?: boolean;
  /** false → fail fast; true → retry failed rollouts 3 times; or a strategy. */
  rolloutErrorTolerance?: boolean | RolloutStrategy;
  /** Max groups rolled out at once (default: all groups of the batch). */
  rolloutConcurrency?: number;
  /** Model context length for max_tokens clamping. */
  contextWindow?: number;
  asyncConfig?: AsyncConfig | null;
  /** Streaming minibatches (on-policy; training starts as soon as a minibatch of groups has arrived). */
  streamMinibatchConfig?: StreamMinibatchConfig | null;
  maxSteps?: number | null;
  /** 4 */
  numGroupsToLog?: number;
  /** true: write `*_rollout_summaries.jsonl`. */
  rolloutJsonExport?: boolean;
  /** Metrics sink; default `setupLogging({logDir: logPath})`. */
  metricsLogger?: MetricsLogger;
  /** Weights & Biases project for the default sink (logs there when WANDB_API_KEY is set). */
  wandbProject?: string | null;
  wandbName?: string | null;
}

export type ResolvedRLConfig = Required<
  Omit<
    RLConfig,
    | "tokenizer"
    | "klReferenceConfig"
    | "asyncConfig"
    | "streamMinibatchConfig"
    | "maxSteps"
    | "loadCheckpointPath"
    | "lossFnConfig"
    | "rolloutConcurrency"
    | "contextWindow"
    | "metricsLogger"
    | "recipeName"
    | "rendererName"
    | "runConfig"
    | "wandbProject"
    | "wandbName"
  >
> &
  Pick<
    RLConfig,
    | "tokenizer"
    | "klReferenceConfig"
    | "asyncConfig"
    | "streamMinibatchConfig"
    | "maxSteps"
    | "loadCheckpointPath"
    | "lossFnConfig"
    | "rolloutConcurrency"
    | "contextWindow"
    | "metricsLogger"
    | "recipeName"
    | "rendererName"
    | "runConfig"
    | "wandbProject"
    | "wandbName"
  >;

const LOSSES: readonly RLLossFn[] = ["importance_sampling", "ppo", "cispo", "dro"];

export function resolveRLConfig(c: RLConfig): ResolvedRLConfig {
  const r: ResolvedRLConfig = {
    ...c,
    evalEvery: c.evalEvery ?? 20,
    saveEvery: c.saveEvery ?? 20,
    ttlSeconds: c.ttlSeconds ?? 604800,
    evaluators: c.evaluators ?? [],
    klPenaltyCoef: c.klPenaltyCoef ?? 0,
    klDiscountFactor: c.klDiscountFactor ?? 0,
    lossFn: c.lossFn ?? "importance_sampling",
    numSubsteps: c.numSubsteps ?? 1,
    loraRank: c.loraRank ?? 32,
    temperature: c.temperature ?? 1.0,
    computePostKl: c.computePostKl ?? false,
    removeConstantRewardGroups: c.removeConstantRewardGroups ?? false,
    rolloutErrorTolerance: c.rolloutErrorTolerance ?? false,
    numGroupsToLog: c.numGroupsToLog ?? 4,
    rolloutJsonExport: c.rolloutJsonExport ?? true,
  };
  if (!(r.learningRate > 0))
    throw new ConfigurationError(`RLConfig.learningRate must be > 0, got ${r.learningRate}`);
  if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1)
    throw new ConfigurationError(`RLConfig.maxTokens must be a positive integer, got ${r.maxTokens}`);
  if (!LOSSES.includes(r.lossFn))
    throw new ConfigurationError(`RLConfig.lossFn must be one of ${LOSSES.join(", ")}, got "${r.lossFn}"`);
  if (!Number.isInteger(r.numSubsteps) || r.numSubsteps < 1)
    throw new ConfigurationError(`RLConfig.numSubsteps must be a positive integer, got ${r.numSubsteps}`);
  if (r.klPenaltyCoef > 0 && !r.klReferenceConfig)
    throw new ConfigurationError(
      "RLConfig.klPenaltyCoef > 0 needs klReferenceConfig ({baseModel, loadCheckpointPath?})",
    );
  if (
    r.asyncConfig &&
    (!Number.isInteger(r.asyncConfig.maxStepsOffPolicy) || r.asyncConfig.maxStepsOffPolicy < 0)
  )
    throw new ConfigurationError("RLConfig.asyncConfig.maxStepsOffPolicy must be an integer ≥ 0");
  if (r.asyncConfig && r.streamMinibatchConfig)
    throw new ConfigurationError("RLConfig: asyncConfig and streamMinibatchConfig cannot be combined");
  if (r.streamMinibatchConfig) streamMinibatchPlan(r.streamMinibatchConfig, r.numSubsteps);
  return r;
}

export function strategyOf(t: boolean | RolloutStrategy): RolloutStrategy {
  if (t === true) return retryOnFailure(3);
  if (t === false) return failFast;
  return t;
}
