// Builds the Inspect EvalLog of a finished run: per-sample scores reduced over epochs (mean), each scorer's
// metrics over the reduced values, usage totals, plan and spec.
import type {
  InspectEvalLog,
  InspectEvalSample,
  InspectEvalScore,
  InspectScore,
  InspectUsage,
} from "./log-types.js";
import type { Scorer, Task } from "./types.js";
import { scoreToFloat } from "./types.js";

export interface LogContext {
  task: Task;
  scorers: readonly Scorer[];
  model: string;
  runKey: string;
  runId: string;
  created: string;
  startedAt: string;
  epochs: number;
  concurrency: number;
  retries: number;
  taskArgs: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  packages: Record<string, string>;
}

function addUsage(into: Record<string, InspectUsage>, from: Record<string, InspectUsage>) {
  for (const [m, u] of Object.entries(from)) {
    into[m] ??= { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    const t = into[m];
    t.input_tokens += u.input_tokens;
    t.output_tokens += u.output_tokens;
    t.total_tokens += u.total_tokens;
  }
}

/** Per sample id, the mean over epochs of one scorer's values; samples without that score are left out. */
function reduce(
  samples: readonly InspectEvalSample[],
  scorer: string,
): Map<string | number, InspectScore & { n: number }> {
  const by = new Map<string | number, InspectScore & { n: number }>();
  for (const s of samples) {
    const sc = s.scores?.[scorer];
    if (!sc) continue;
    const v = scoreToFloat(sc.value);
    const prev = by.get(s.id);
    if (prev) {
      prev.value = (prev.value as number) + v;
      prev.n++;
    } else
      by.set(s.id, {
        value: v,
        n: 1,
        ...(sc.answer != null ? { answer: sc.answer } : {}),
        ...(sc.metadata != null ? { metadata: sc.metadata } : {}),
      });
  }
  for (const r of by.values()) r.value = (r.value as number) / r.n;
  return by;
}

export function buildEvalLog(ctx: LogContext, samples: InspectEvalSample[]): InspectEvalLog {
  const cfg = ctx.task.config ?? {};
  const generateConfig = {
    ...(cfg.maxTokens !== undefined ? { max_tokens: cfg.maxTokens } : {}),
    ...(cfg.temperature !== undefined ? { temperature: cfg.temperature } : {}),
  };
  const failed = samples.filter((s) => s.error);
  const scores: InspectEvalScore[] = [];
  const reductions: NonNullable<InspectEvalLog["reductions"]> = [];
  for (const sc of ctx.scorers) {
    const reduced = reduce(samples, sc.name);
    const values = [...reduced.values()].map((r) => r.value as number);
    const metrics: InspectEvalScore["metrics"] = {};
    for (const m of sc.metrics) {
      const value = m.compute(
        values,
        [...reduced.values()].map((r) => ({
          value: r.value,
          ...(r.metadata ? { metadata: r.metadata } : {}),
        })),
      );
      if (Number.isFinite(value)) metrics[m.name] = { name: m.name, value, params: m.params ?? {} };
    }
    const sampleIds = new Set(samples.map((s) => s.id));
    scores.push({
      name: sc.name,
      scorer: sc.name,
      reducer: "mean",
      scored_samples: reduced.size,
      unscored_samples: sampleIds.size - reduced.size,
      params: sc.params ?? {},
      metrics,
    });
    reductions.push({
      scorer: sc.name,
      reducer: "mean",
      samples: [...reduced.entries()].map(([id, r]) => ({
        value: r.value,
        ...(r.answer != null ? { answer: r.answer } : {}),
        sample_id: id,
      })),
    });
  }
  const usage: Record<string, InspectUsage> = {};
  for (const s of samples) addUsage(usage, s.model_usage);
  const ids = ctx.task.dataset.map((s) => s.id);
  return {
    version: 2,
    status: failed.length ? "error" : "success",
    eval: {
      eval_id: `${ctx.runKey}-${ctx.runId}`,
      run_id: ctx.runId,
      created: ctx.created,
      task: ctx.task.name,
      task_id: ctx.runKey,
      task_version: ctx.task.version ?? 0,
      task_attribs: {},
      task_args: ctx.taskArgs,
      task_args_passed: ctx.taskArgs,
      dataset: {
        name: ctx.task.datasetName ?? ctx.task.name,
        location: ctx.task.datasetLocation ?? null,
        samples: ids.length,
        sample_ids: ids,
        shuffled: false,
      },
      model: ctx.model,
      model_generate_config: generateConfig,
      model_args: {},
      config: {
        epochs: ctx.epochs,
        epochs_reducer: ["mean"],
        fail_on_error: false,
        max_samples: ctx.concurrency,
        retry_on_error: ctx.retries,
        log_samples: true,
      },
      packages: ctx.packages,
      scorers: ctx.scorers.map((s) => ({
        name: s.name,
        options: s.params ?? {},
        metrics: s.metrics.map((m) => ({ name: m.name, options: m.params ?? {} })),
      })),
      metadata: ctx.metadata ?? null,
    },
    plan: {
      name: "plan",
      steps: ctx.task.solver.map((s) => ({
        solver: s.name,
        params: s.params ?? {},
        params_passed: s.params ?? {},
      })),
      config: generateConfig,
    },
    results: { total_samples: samples.length, completed_samples: samples.length - failed.length, scores },
    stats: { started_at: ctx.startedAt, completed_at: new Date().toISOString(), model_usage: usage },
    error: failed.length
      ? {
          message: `${failed.length} of ${samples.length} samples failed (first: ${failed[0]!.error!.message}); rerun to retry them`,
          traceback: failed[0]!.error!.traceback,
          traceback_ansi: failed[0]!.error!.traceback_ansi,
        }
      : null,
    samples,
    reductions,
  };
}

/** `<scorer>/<metric>` for every scorer, plus the first scorer's metrics unprefixed. */
export function flatMetrics(log: InspectEvalLog): Record<string, number> {
  const out: Record<string, number> = {};
  log.results?.scores.forEach((s, i) => {
    for (const m of Object.values(s.metrics)) {
      out[`${s.name}/${m.name}`] = m.value;
      if (i === 0) out[m.name] = m.value;
    }
  });
  return out;
}
