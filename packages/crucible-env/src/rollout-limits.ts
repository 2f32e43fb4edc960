import { ModelInput } from "@crucible/tinker-client";
import type {
  Action,
  Env,
  EpisodeStopReason,
  InitialObservation,
  InitialObservationOverflow,
  Metrics,
  StepExtra,
  StepResult,
} from "./types.js";

/**
 * Budgets for one episode (the cookbook's `RolloutLimits`). Every field is optional; an absent one is unlimited.
 * When one is reached the episode ends normally with `stop/<reason>` set; nothing throws.
 */
export interface RolloutLimits {
  /** Sampling calls per episode; reaching it ends the episode with `stop/max_turns`. */
  maxTurns?: number;
  /**
   * Tokens of the whole episode (prompt, every reply and every env turn). The next turn may sample at most
   * `maxTrajectoryTokens − observation length` tokens; when no token is left the episode ends with `stop/max_tokens`.
   */
  maxTrajectoryTokens?: number;
  /** Sampled (policy) tokens per episode, summed over turns; exhausting it ends it with `stop/max_sampled_tokens`. */
  maxSampledTokens?: number;
  /** Sampled tokens in one turn. */
  maxTurnTokens?: number;
}

const LIMIT_FIELDS = ["maxTurns", "maxTrajectoryTokens", "maxSampledTokens", "maxTurnTokens"] as const;

export class RolloutLimitsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RolloutLimitsError";
  }
}

/** Throws RolloutLimitsError naming the first field that is not a positive integer. */
export function checkRolloutLimits(limits: RolloutLimits): void {
  for (const f of LIMIT_FIELDS) {
    const v = limits[f];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new RolloutLimitsError(
        f,
        `RolloutLimits.${f} must be a positive integer or absent (unlimited), got ${v}`,
      );
    }
  }
}

const stopMetric = (reason: EpisodeStopReason): Metrics => ({ [`stop/${reason}`]: 1 });
const hasStopMetric = (m: Metrics | undefined) => Object.keys(m ?? {}).some((k) => k.startsWith("stop/"));

/**
 * Wraps an Env so that its episodes respect `limits`. The rollout asks `turnMaxTokens()` before each sampling call
 * and caps the sample there, so the token budgets hold exactly; `maxTurns` is counted here. Rewards are the inner
 * env's (a limit ends the episode, it does not change the reward). An inner env that ends the episode itself without
 * a stop reason is reported as `stop/completed`.
 */
export class LimitedEnv implements Env {
  private turns = 0;
  private sampled = 0;
  private obLength = 0;

  constructor(
    readonly inner: Env,
    readonly limits: RolloutLimits,
  ) {
    checkRolloutLimits(limits);
  }

  /** Turns taken and tokens sampled so far (for tests and logs). */
  get usage(): { turns: number; sampledTokens: number } {
    return { turns: this.turns, sampledTokens: this.sampled };
  }

  /** Most tokens the next sampling call may produce (undefined: no token limit configured). */
  turnMaxTokens(): number | undefined {
    const caps: number[] = [];
    const l = this.limits;
    if (l.maxTurnTokens !== undefined) caps.push(l.maxTurnTokens);
    if (l.maxTrajectoryTokens !== undefined) caps.push(l.maxTrajectoryTokens - this.obLength);
    if (l.maxSampledTokens !== undefined) caps.push(l.maxSampledTokens - this.sampled);
    return caps.length === 0 ? undefined : Math.min(...caps);
  }

  async initialObservation(): Promise<InitialObservation | InitialObservationOverflow> {
    const init = await this.inner.initialObservation();
    if (init.kind === "overflow") return init;
    this.obLength = ModelInput.length(init.observation);
    const max = this.limits.maxTrajectoryTokens;
    if (max !== undefined && this.obLength >= max) {
      return {
        kind: "overflow",
        reward: 0,
        metrics: stopMetric("max_tokens"),
        logs: {
          initial_observation_overflow: `prompt of ${this.obLength} tokens leaves no room under maxTrajectoryTokens=${max}`,
        },
      };
    }
    return init;
  }

  async step(action: Action, extra?: StepExtra): Promise<StepResult> {
    this.turns++;
    this.sampled += action.length;
    const res = await this.inner.step(action, extra);
    if (res.episodeDone) {
      return hasStopMetric(res.metrics)
        ? res
        : { ...res, metrics: { ...res.metrics, ...stopMetric("completed") } };
    }
    this.obLength = ModelInput.length(res.nextObservation);
    const reason = this.limitReached();
    if (reason === null) return res;
    return {
      ...res,
      episodeDone: true,
      nextObservation: ModelInput.empty(),
      metrics: { ...res.metrics, ...stopMetric(reason) },
    };
  }

  private limitReached(): EpisodeStopReason | null {
    const l = this.limits;
    if (l.maxTurns !== undefined && this.turns >= l.maxTurns) return "max_turns";
    if (l.maxSampledTokens !== undefined && this.sampled >= l.maxSampledTokens) return "max_sampled_tokens";
    if (l.maxTrajectoryTokens !== undefined && this.obLength >= l.maxTrajectoryTokens) return "max_tokens";
    return null;
  }
}
