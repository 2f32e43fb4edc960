// Tasks as an inline sampling-client evaluator: the training loops call it with a fresh sampler of the current
// weights; each task runs through `evaluate` (Inspect logs under `<logDir>/<round>/`) and its first scorer's metrics
// come back as `<prefix>/<task>/<metric>` (e.g. eval/gsm8k/accuracy) for metrics.jsonl and the dashboard.
import { join } from "node:path";
import type { EnvRenderer, SamplingClientLike } from "@crucible/env";
import { evaluate } from "./evaluate.js";
import type { Task } from "./types.js";

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
}

export class TaskEvaluator {
  readonly kind = "sampling" as const;
  readonly name: string;
  private round = 0;
  constructor(readonly opts: TaskEvaluatorOptions) {
    this.name = opts.name ?? opts.prefix ?? "eval";
  }

  async evaluate(samplingClient: SamplingClientLike): Promise<Record<string, number>> {
    // A fresh name per round: weights differ between rounds, so results are never reused across them.
    const tag = `round_${new Date().toISOString().replace(/[:.]/g, "-")}_${this.round++}`;
    const out: Record<string, number> = {};
    for (const task of this.opts.tasks) {
      const r = await evaluate(task, {
        samplingClient,
        renderer: this.opts.renderer,
        modelName: `${this.opts.modelName}@${tag}`,
        logDir: join(this.opts.logDir, tag),
        concurrency: this.opts.concurrency ?? 8,
        progress: false,
      });
      for (const [k, v] of Object.entries(r.metrics))
        if (!k.includes("/")) out[`${this.opts.prefix ?? "eval"}/${task.name}/${k}`] = v;
    }
    return out;
  }
}
