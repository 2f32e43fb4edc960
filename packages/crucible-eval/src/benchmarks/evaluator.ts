// A benchmark as an inline evaluator: the training loops call it with their current sampling client and
// log `<prefix>/<benchmark>/accuracy` etc. Each call writes under `<outDir>/step_<n>/` so results stay
// resumable per checkpoint.
import { join } from "node:path";
import type { EnvRenderer, SamplingClientLike } from "@crucible/env";
import type { SamplingEvalContext } from "../evaluator.js";
import type { BenchmarkProblem } from "./benchmark-problem.js";
import { type BenchmarkRunConfig, runBenchmark } from "./runner.js";

export interface BenchmarkEvaluatorOptions extends BenchmarkRunConfig {
  name: string;
  problems: readonly BenchmarkProblem[];
  renderer: EnvRenderer;
  rendererName: string;
  outDir: string;
  /** Metric prefix (default "bench"). */
  prefix?: string;
  decode?: (tokens: number[]) => string;
}

export class BenchmarkEvaluator {
  readonly kind = "sampling" as const;
  readonly name: string;
  private calls = 0;
  constructor(readonly opts: BenchmarkEvaluatorOptions) {
    this.name = opts.name;
  }

  /**
   * `model` names the weights being evaluated (an id, or a loop's context with the saved weights' path); results
   * are reused only for the same id. Without one the weights are unknown, so every call gets a fresh id (never a
   * stale cache hit after a resume).
   */
  async evaluate(
    samplingClient: SamplingClientLike,
    model?: string | SamplingEvalContext,
  ): Promise<Record<string, number>> {
    const modelId = typeof model === "string" ? model : model?.weightsPath;
    const id = modelId ?? `eval_${new Date().toISOString().replace(/[:.]/g, "-")}_${this.calls}`;
    const tag = id.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(-80);
    this.calls++;
    const r = await runBenchmark({
      ...this.opts,
      samplingClient,
      modelId: id,
      outDir: join(this.opts.outDir, tag),
    });
    const p = `${this.opts.prefix ?? "bench"}/${this.opts.name}`;
    return { [`${p}/accuracy`]: r.accuracy, [`${p}/format`]: r.format_rate, [`${p}/reward`]: r.mean_reward };
  }
}
