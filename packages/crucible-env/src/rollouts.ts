import { ModelInput } from "@crucible/tinker-client";
import type { TokenCompleter } from "./completers.js";
import type {
  Env,
  EnvGroupBuilder,
  Metrics,
  RolloutError,
  Trajectory,
  TrajectoryGroup,
  Transition,
} from "./types.js";

/** Runs one episode of `env` with `policy`. */
export async function doSingleRollout(policy: TokenCompleter, env: Env): Promise<Trajectory> {
  const init = await env.initialObservation();
  if (init.kind === "overflow") {
    // The prompt alone does not fit: one synthetic empty transition carrying the overflow reward.
    const tr: Transition = {
      ob: ModelInput.empty(),
      ac: { tokens: [], maybeLogprobs: [], stopReason: "length" },
      reward: init.reward,
      episodeDone: true,
      metrics: init.metrics,
      logs: init.logs,
    };
    return { transitions: [tr], finalOb: ModelInput.empty(), stopReason: stopReasonOf(init.metrics) };
  }
  let ob = init.observation;
  let stop = init.stopCondition;
  const transitions: Transition[] = [];
  for (;;) {
    const budget = env.turnMaxTokens?.();
    const ac = await policy(ob, stop, budget === undefined ? undefined : { maxTokens: budget });
    const res = await env.step(ac.tokens, { stopReason: ac.stopReason });
    const metrics = res.metrics ?? {};
    transitions.push({
      ob,
      ac,
      reward: res.reward,
      episodeDone: res.episodeDone,
      metrics,
      logs: res.logs ?? {},
    });
    ob = res.nextObservation;
    stop = res.nextStopCondition;
    if (res.episodeDone) return { transitions, finalOb: ob, stopReason: stopReasonOf(metrics) };
  }
}

function stopReasonOf(metrics: Metrics): string | null {
  const key = Object.keys(metrics).find((k) => k.startsWith("stop/"));
  return key ? key.slice("stop/".length) : null;
}

export class AllTrajectoriesFailedError extends Error {
  constructor(readonly errors: RolloutError[]) {
    super(
      `every rollout of the group failed: ${errors.map((e) => `${e.errorType}: ${e.message}`).join("; ")}`,
    );
    this.name = "AllTrajectoriesFailedError";
  }
}

export interface StrategyResult {
  trajectories: Trajectory[];
  envs: Env[];
  errors: RolloutError[];
}

/** How a group's rollouts are run and what happens when one throws. */
export interface RolloutStrategy {
  readonly name: string;
  /** When true, a group whose rollouts all fail is dropped (counted) instead of failing the batch. */
  readonly catchesGroupErrors: boolean;
  execute(builder: EnvGroupBuilder, policy: TokenCompleter): Promise<StrategyResult>;
}

function toRolloutError(e: unknown): RolloutError {
  if (e instanceof Error) return { errorType: e.name || "Error", message: e.message };
  return { errorType: "Error", message: String(e) };
}

/** All rollouts concurrently; the first error propagates (the cookbook default). */
export const failFast: RolloutStrategy = {
  name: "fail_fast",
  catchesGroupErrors: false,
  async execute(builder, policy) {
    const envs = await builder.makeEnvs();
    const trajectories = await Promise.all(envs.map((env) => doSingleRollout(policy, env)));
    return { trajectories, envs, errors: [] };
  },
};

/**
 * Retries failed rollouts on fresh envs (from `makeEnvs`) up to `maxRetries` times. Trajectories that still
 * fail are left out of the group and reported as errors; if none succeed the group fails.
 */
export function retryOnFailure(maxRetries = 3): RolloutStrategy {
  return {
    name: "retry_on_failure",
    catchesGroupErrors: true,
    async execute(builder, policy) {
      let envs = await builder.makeEnvs();
      const n = envs.length;
      const results: ({ traj: Trajectory; env: Env } | null)[] = new Array(n).fill(null);
      const errors: RolloutError[] = [];
      let pending = [...Array(n).keys()];
      for (let attempt = 0; attempt <= maxRetries && pending.length > 0; attempt++) {
        if (attempt > 0) envs = await builder.makeEnvs();
        const settled = await Promise.allSettled(pending.map((i) => doSingleRollout(policy, envs[i] as Env)));
        const still: number[] = [];
        settled.forEach((s, k) => {
          const i = pending[k] as number;
          if (s.status === "fulfilled") results[i] = { traj: s.value, env: envs[i] as Env };
          else {
            errors.push(toRolloutError(s.reason));
            still.push(i);
          }
        });
        pending = still;
      }
      const ok = results.filter((r): r is { traj: Trajectory; env: Env } => r !== null);
      if (ok.length === 0) throw new AllTrajectoriesFailedError(errors);
      return { trajectories: ok.map((r) => r.traj), envs: ok.map((r) => r.env), errors };
    },
  };
}

/** Rolls out one group: strategy, then group rewards; always cleans the builder up. */
export async function doGroupRollout(
  builder: EnvGroupBuilder,
  policy: TokenCompleter,
  strategy: RolloutStrategy = failFast,
): Promise<TrajectoryGroup> {
  try {
    const { trajectories, envs, errors } = await strategy.execute(builder, policy);
    const rewards = builder.computeGroupRewards
      ? await builder.computeGroupRewards(trajectories, envs)
      : trajectories.map(() => ({ reward: 0, metrics: {} }));
    return {
      trajectories,
      finalRewards: rewards.map((r) => r.reward),
      metrics: rewards.map((r) => r.metrics),
      rolloutErrors: errors,
    };
  } finally {
    await builder.cleanup?.();
  }
}

/** Counts rollout errors by type; metrics `{prefix}/{type}`, `{prefix}/total`, `{prefix}/groups_skipped`. */
export class RolloutErrorCounter {
  private counts = new Map<string, number>();
  private groupsSkipped = 0;
  record(errors: readonly RolloutError[]): void {
    for (const e of errors) this.counts.set(e.errorType, (this.counts.get(e.errorType) ?? 0) + 1);
  }
  recordSkippedGroup(errors: readonly RolloutError[]): void {
    this.record(errors);
    this.groupsSkipped++;
  }
  getMetrics(prefix = "rollout_errors"): Metrics {
    if (this.counts.size === 0 && this.groupsSkipped === 0) return {};
    const out: Metrics = {};
    let total = 0;
    for (const [k, v] of this.counts) {
      out[`${prefix}/${k}`] = v;
      total += v;
    }
    out[`${prefix}/total`] = total;
    out[`${prefix}/groups_skipped`] = this.groupsSkipped;
    return out;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!(limit >= 1)) throw new Error(`mapWithConcurrency: limit must be ≥ 1, got ${limit}`);
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface GroupRolloutOptions {
  strategy?: RolloutStrategy;
  /** Max groups in flight at once (default: all). */
  concurrency?: number;
  errorCounter?: RolloutErrorCounter;
}

/**
 * Rolls out every group of a batch concurrently (bounded by `concurrency`). A group whose rollouts all fail
 * becomes null (and is counted) when the strategy catches group errors; otherwise the error propagates.
 */
export async function doBatchRollouts(
  builders: readonly EnvGroupBuilder[],
  policy: TokenCompleter,
  opts: GroupRolloutOptions = {},
): Promise<(TrajectoryGroup | null)[]> {
  const strategy = opts.strategy ?? failFast;
  const counter = opts.errorCounter;
  return mapWithConcurrency(builders, Math.max(1, opts.concurrency ?? builders.length), async (b) => {
    try {
      const g = await doGroupRollout(b, policy, strategy);
      counter?.record(g.rolloutErrors);
      return g;
    } catch (e) {
      if (!strategy.catchesGroupErrors) throw e;
      counter?.recordSkippedGroup(e instanceof AllTrajectoriesFailedError ? e.errors : [toRolloutError(e)]);
      return null;
    }
  });
}
