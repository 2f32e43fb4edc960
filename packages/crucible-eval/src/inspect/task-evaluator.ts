// Tasks as an inline sampling-client evaluator: the training loops call it with a fresh sampler of the current
// weights; each task runs through `evaluate` (Inspect logs under `<logDir>/<round>/`) and its first scorer's metrics
// come back as `<prefix>/<task>/<metric>` (e.g. eval/gsm8k/accuracy) for metrics.jsonl and the dashboard. With
// `onResult` (e.g. the recipes' model-registry hook) each task's result is also handed on with the weights it
// ran on: the evaluator then asks the loop for saved weights, so every result names a tinker:// checkpoint.
import { join } from "node:path";
import type { EnvRenderer, SamplingClientLike } from "@crucible/env";
import type { SamplingEvalContext } from "../evaluator.js";
import { evaluate } from "./evaluate.js";
import type { Task } from "./types.js";

/** One task's result in one evaluation round. */
export interface TaskEvalResult {
  task: string;
  /** The run's metrics of the task (top level and per scorer, as `evaluate` reports them). */
  metrics: Record<string, number>;
  logFile: string;
  /** The loop's step and, when the weights were saved, their tinker:// path. */
  context: SamplingEvalContext | undefined;
}

export interface TaskEvaluatorOptions {
  tasks: readonly Task[];
  renderer: EnvRenderer;
  /** Names the weights in logs: the base model; each round appends its time and index. */
  modelName: string;
  logDir: string;
  concurrency?: number;
  /** Metric prefix (default "eval"). */
  prefix?: string;
  /** The evaluator's name (loops that key evaluators by name, e.g. the RL loop); default the prefix. */
  name?: string;
  /** Called after each task of a round; setting it makes the loops save the evaluated weights. */
  onResult?: (r: TaskEvalResult) => void | Promise<void>;
}

export class TaskEvaluator {
  readonly kind = "sampling" as const;
  readonly name: string;
  readonly wantsSavedWeights: boolean;
  private round = 0;
  constructor(readonly opts: TaskEvaluatorOptions) {
    this.name = opts.name ?? opts.prefix ?? "eval";
    this.wantsSavedWeights = opts.onResult !== undefined;
  }

  async evaluate(
    samplingClient: SamplingClientLike,
    context?: SamplingEvalContext,
  ): Promise<Record<string, number>> {
    // A fresh name per round: weights differ between rounds, so results are never reused across them.
    const tag = `round_${new Date().toISOString().replace(/[:.]/g, "-")}_${this.round++}`;
    const out: Record<string, number> = {};
    for (const task of this.opts.tasks) {
      const r = await evaluate(task, {
        samplingClient,
        renderer: this.opts.renderer,
        // Saved weights are named by their path (as `crucible eval checkpoint=…` names them).
        modelName: context?.weightsPath ?? `${this.opts.modelName}@${tag}`,
        logDir: join(this.opts.logDir, tag),
        concurrency: this.opts.concurrency ?? 8,
        progress: false,
        ...(context && { taskArgs: { step: context.step } }),
      });
      for (const [k, v] of Object.entries(r.metrics))
        if (!k.includes("/")) out[`${this.opts.prefix ?? "eval"}/${task.name}/${k}`] = v;
      await this.opts.onResult?.({ task: task.name, metrics: r.metrics, logFile: r.logFile, context });
    }
    return out;
  }
}
