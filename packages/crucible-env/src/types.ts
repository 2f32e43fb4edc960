import type { ModelInput } from "@crucible/tinker-client";

/** Sampled token ids for one turn. */
export type Action = number[];
/** What the policy sees before acting: a rendered prompt. */
export type Observation = ModelInput;
export type Logprobs = number[];
export type Metrics = Record<string, number>;
export type Logs = Record<string, string | number>;
/** Stop strings or stop token ids, as the renderer reports them. */
export type StopCondition = string[] | number[];

/** Tokens the policy sampled for one turn, with the sampler's per-token logprobs. */
export interface TokensWithLogprobs {
  tokens: number[];
  /** Per-token logprobs reported by the sampler (same length as `tokens`), or null if not requested. */
  maybeLogprobs: number[] | null;
  stopReason: "stop" | "length";
}

/** Logprobs of a turn; throws if the sampler did not report them. */
export function actionLogprobs(ac: TokensWithLogprobs): number[] {
  if (ac.maybeLogprobs === null) {
    throw new Error("TokensWithLogprobs.maybeLogprobs is null: sample with logprobs to train on this action");
  }
  return ac.maybeLogprobs;
}

export interface StepResult {
  reward: number;
  episodeDone: boolean;
  nextObservation: Observation;
  nextStopCondition: StopCondition;
  metrics?: Metrics;
  logs?: Logs;
}

export interface Transition {
  ob: Observation;
  ac: TokensWithLogprobs;
  reward: number;
  episodeDone: boolean;
  metrics: Metrics;
  logs: Logs;
}

export interface Trajectory {
  readonly transitions: readonly Transition[];
  readonly finalOb: Observation;
  /** `stop/<reason>` metric of the final transition without its prefix, else null. */
  readonly stopReason: string | null;
}

/** Returned by `initialObservation` when the prompt alone does not fit; the rollout ends at once with this reward. */
export interface InitialObservationOverflow {
  kind: "overflow";
  reward: number;
  metrics: Metrics;
  logs: Logs;
}

export interface InitialObservation {
  kind: "observation";
  observation: Observation;
  stopCondition: StopCondition;
}

/** Extra information the rollout passes to `Env.step`. */
export interface StepExtra {
  stopReason?: "stop" | "length";
}

/** A single-use environment: one episode, then discard it. */
export interface Env {
  initialObservation(): Promise<InitialObservation | InitialObservationOverflow>;
  step(action: Action, extra?: StepExtra): Promise<StepResult>;
  /** Optional token budget for the next sampling call; the rollout caps the sample there (see LimitedEnv). */
  turnMaxTokens?(): number | undefined;
}

/** Makes the envs of one group; all envs of a group share one problem, so group-centred advantages compare like with like. */
export interface EnvGroupBuilder {
  makeEnvs(): Promise<Env[]>;
  /** Final per-trajectory rewards added to the step rewards (default: all `{reward: 0, metrics: {}}`). */
  computeGroupRewards?(
    trajectories: readonly Trajectory[],
    envs: readonly Env[],
  ): Promise<{ reward: number; metrics: Metrics }[]>;
  cleanup?(): Promise<void>;
  loggingTags?(): string[];
}

export interface RolloutError {
  errorType: string;
  message: string;
}

export interface TrajectoryGroup {
  trajectories: Trajectory[];
  finalRewards: number[];
  metrics: Metrics[];
  rolloutErrors: RolloutError[];
}

/** Σ transition rewards + final group reward, per trajectory. */
export function getTotalRewards(group: TrajectoryGroup): number[] {
  return group.trajectories.map((t, g) => {
    let s = 0;
    for (const tr of t.transitions) s += tr.reward;
    return s + (group.finalRewards[g] ?? 0);
  });
}

export interface RLDataset {
  getBatch(index: number): EnvGroupBuilder[];
  readonly length: number;
}

/** Builds the train dataset and optionally a test dataset (async: it may read files). */
export type RLDatasetBuilder = () => Promise<{ train: RLDataset; test: RLDataset | null }>;

export const STOP_REASONS = [
  "completed",
  "tool_stopped",
  "max_turns",
  "max_tokens",
  "max_sampled_tokens",
  "max_tool_calls",
  "context_overflow",
  "parse_error",
  "rollout_timeout",
] as const;
export type EpisodeStopReason = (typeof STOP_REASONS)[number];

/** Transition metric that, when ≥ 1, masks the turn out of training (mask 0, advantage 0). */
export const PARSE_ERROR_MASKED_METRIC_KEY = "parse_error_masked";
