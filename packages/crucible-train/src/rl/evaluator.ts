import {
  computeTrajectoryMetrics,
  doBatchRollouts,
  type EnvGroupBuilder,
  failFast,
  getTotalRewards,
  type RLDataset,
  RolloutErrorCounter,
  type RolloutStrategy,
  type SamplingClientLike,
  type TrajectoryGroup,
  tinkerTokenCompleter,
} from "@crucible/env";
import type { SamplingEvalContext } from "@crucible/eval";

/** Evaluates a sampling client; returns metrics (already prefixed). */
export interface SamplingClientEvaluator {
  readonly name: string;
  /** Results are tied to saved weights: the loops save them (`eval_<step>`) and pass their path in `context`. */
  readonly wantsSavedWeights?: boolean;
  evaluate(sampler: SamplingClientLike, context?: SamplingEvalContext): Promise<Record<string, number>>;
}

/**
 * Rolls out every group of every batch of a test dataset (temperature 1) and reports `{name}/<trajectory metric>`
 * plus rollout error counts. `lastResult.score` = fraction of groups with any reward > 0 (errors count as wrong).
 */
export class RLTestSetEvaluator implements SamplingClientEvaluator {
  lastResult: { score: number; groups: number } | null = null;
  lastGroups: TrajectoryGroup[] = [];
  private readonly builders: EnvGroupBuilder[];
  constructor(
    dataset: RLDataset,
    readonly maxTokens: number,
    readonly name = "test",
    readonly strategy: RolloutStrategy = failFast,
    readonly concurrency?: number,
  ) {
    this.builders = [];
    for (let i = 0; i < dataset.length; i++) this.builders.push(...dataset.getBatch(i));
  }
  async evaluate(sampler: SamplingClientLike): Promise<Record<string, number>> {
    const policy = tinkerTokenCompleter({
      samplingClient: sampler,
      maxTokens: this.maxTokens,
      temperature: 1.0,
    });
    const counter = new RolloutErrorCounter();
    const groups = await doBatchRollouts(this.builders, policy, {
      strategy: this.strategy,
      errorCounter: counter,
      ...(this.concurrency ? { concurrency: this.concurrency } : {}),
    });
    const ok: TrajectoryGroup[] = [];
    const tags: string[][] = [];
    groups.forEach((g, i) => {
      if (g) {
        ok.push(g);
        tags.push(this.builders[i]?.loggingTags?.() ?? []);
      }
    });
    this.lastGroups = ok;
    const good = ok.filter((g) => getTotalRewards(g).some((r) => r > 0)).length;
    this.lastResult = { score: groups.length ? good / groups.length : 0, groups: groups.length };
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(computeTrajectoryMetrics(ok, tags))) out[`${this.name}/${k}`] = v;
    for (const [k, v] of Object.entries(counter.getMetrics(`${this.name}/rollout_errors`))) out[k] = v;
    return out;
  }
}
