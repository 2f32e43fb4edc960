// evaluate(task, …): runs every sample (× epochs) through the solver chain and scorers with bounded concurrency,
// journals each finished sample to `<log_dir>/<task>_<key>.samples.jsonl` as it completes, and writes the Inspect
// EvalLog `<task>_<key>.json` (plus an HTML transcript) at the end. The key hashes everything that determines the
// outcome, so a rerun after a crash redoes only the missing or failed samples and a finished run is returned as is.
import { createHash, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mapWithConcurrency } from "@crucible/env";
import { createProgressBar, writeFileAtomic } from "@crucible/log";
import { buildEvalLog, flatMetrics } from "./eval-log.js";
import type { InspectEvalLog, InspectEvalSample } from "./log-types.js";
import { type ChatModel, type ChatModelOptions, chatModel } from "./model.js";
import { runSample } from "./run-sample.js";
import { transcriptHtml } from "./transcript-html.js";
import type { Scorer, Task } from "./types.js";
import { TaskDefinitionError } from "./types.js";

export interface EvaluateOptions {
  /** The model under test: a ChatModel, or the parts to build one. */
  model?: ChatModel;
  samplingClient?: ChatModelOptions["samplingClient"];
  renderer?: ChatModelOptions["renderer"];
  /** Model name for the log (base model or tinker:// path); required with samplingClient. */
  modelName?: string;
  logDir: string;
  /** Samples in flight at once (default 8). */
  concurrency?: number;
  /** Retries of a failed sample (default 1); the last failure is recorded in the sample, the run goes on. */
  retries?: number;
  /** First N samples only. */
  limit?: number;
  /** Progress bar on this stream (drawn only on a TTY); false for none. Default stderr. */
  progress?: NodeJS.WriteStream | false;
  /** Recorded as the log's task_args. */
  taskArgs?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface EvaluateResult {
  log: InspectEvalLog;
  logFile: string;
  transcriptFile: string;
  /** `<scorer>/<metric>`, and the first scorer's metrics unprefixed (e.g. `accuracy`). */
  metrics: Record<string, number>;
  /** Samples run by this call (the rest came from the journal). */
  newlyEvaluated: number;
}

const PACKAGE_VERSION = "0.1.0";

function resolveModel(o: EvaluateOptions): ChatModel {
  if (o.model) return o.model;
  if (!o.samplingClient || !o.renderer || !o.modelName)
    throw new TaskDefinitionError("evaluate: pass `model`, or `samplingClient`, `renderer` and `modelName`");
  return chatModel({ samplingClient: o.samplingClient, renderer: o.renderer, name: o.modelName });
}

export function runKey(task: Task, scorers: readonly Scorer[], model: string, epochs: number): string {
  const h = createHash("sha256");
  h.update(
    JSON.stringify({
      v: 1,
      task: task.name,
      version: task.version ?? 0,
      model,
      epochs,
      config: task.config ?? {},
      solver: task.solver.map((s) => [s.name, s.params ?? {}]),
      scorer: scorers.map((s) => [s.name, s.params ?? {}]),
      samples: task.dataset.map((s) => [s.id, s.input, s.target, s.choices ?? null]),
    }),
  );
  return h.digest("hex").slice(0, 16);
}

function readJournal(file: string): Map<string, InspectEvalSample> {
  const done = new Map<string, InspectEvalSample>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as InspectEvalSample;
      if (!s.error) done.set(`${s.epoch}:${String(s.id)}`, s);
    } catch {
      /* a torn last line of a killed run: that sample is redone */
    }
  }
  return done;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_");

export async function evaluate(task: Task, o: EvaluateOptions): Promise<EvaluateResult> {
  const model = resolveModel(o);
  const scorers = Array.isArray(task.scorer) ? [...(task.scorer as Scorer[])] : [task.scorer as Scorer];
  if (scorers.length === 0) throw new TaskDefinitionError(`task ${task.name}: needs at least one scorer`);
  const names = new Set(scorers.map((s) => s.name));
  if (names.size !== scorers.length)
    throw new TaskDefinitionError(`task ${task.name}: scorer names must differ`);
  const dataset = o.limit !== undefined ? task.dataset.slice(0, o.limit) : task.dataset;
  const ids = new Set(dataset.map((s) => String(s.id)));
  if (ids.size !== dataset.length)
    throw new TaskDefinitionError(`task ${task.name}: sample ids must be unique`);
  const t: Task = { ...task, dataset };
  const epochs = t.config?.epochs ?? 1;
  const key = runKey(t, scorers, model.name, epochs);
  mkdirSync(o.logDir, { recursive: true });
  const base = join(o.logDir, `${safeName(t.name)}_${key}`);
  const logFile = `${base}.json`;
  const transcriptFile = `${base}.html`;
  const journal = `${base}.samples.jsonl`;
  if (existsSync(logFile)) {
    const prev = JSON.parse(readFileSync(logFile, "utf8")) as InspectEvalLog;
    if (prev.status === "success")
      return { log: prev, logFile, transcriptFile, metrics: flatMetrics(prev), newlyEvaluated: 0 };
  }
  const done = readJournal(journal);
  const work = dataset.flatMap((sample) =>
    Array.from({ length: epochs }, (_, e) => ({ sample, epoch: e + 1 })).filter(
      (w) => !done.has(`${w.epoch}:${String(w.sample.id)}`),
    ),
  );
  const startedAt = new Date().toISOString();
  const bar =
    o.progress === false
      ? undefined
      : createProgressBar({
          total: work.length,
          label: t.name,
          ...(o.progress ? { stream: o.progress } : {}),
        });
  const fresh = new Map<string, InspectEvalSample>();
  let correctSoFar = 0;
  try {
    await mapWithConcurrency(work, o.concurrency ?? 8, async (w) => {
      const rec = await runSample({
        sample: w.sample,
        epoch: w.epoch,
        model,
        solvers: t.solver,
        scorers,
        config: t.config ?? {},
        retries: o.retries ?? 1,
      });
      if (!rec.error) appendFileSync(journal, `${JSON.stringify(rec)}\n`);
      fresh.set(`${w.epoch}:${String(w.sample.id)}`, rec);
      const first = rec.scores?.[scorers[0]!.name]?.value;
      if (first === "C" || first === 1 || first === true) correctSoFar++;
      bar?.increment(1, `${correctSoFar} correct`);
    });
  } finally {
    bar?.stop();
  }
  const samples = dataset.flatMap((s) =>
    Array.from({ length: epochs }, (_, e) => {
      const k = `${e + 1}:${String(s.id)}`;
      return (fresh.get(k) ?? done.get(k))!;
    }),
  );
  const log = buildEvalLog(
    {
      task: t,
      scorers,
      model: model.name,
      runKey: key,
      runId: randomUUID(),
      created: startedAt,
      startedAt,
      epochs,
      concurrency: o.concurrency ?? 8,
      retries: o.retries ?? 1,
      taskArgs: o.taskArgs ?? {},
      packages: { "@crucible/eval": PACKAGE_VERSION },
      ...(o.metadata ? { metadata: o.metadata } : {}),
    },
    samples,
  );
  writeFileAtomic(logFile, `${JSON.stringify(log, null, 2)}\n`);
  writeFileAtomic(transcriptFile, transcriptHtml(log));
  return { log, logFile, transcriptFile, metrics: flatMetrics(log), newlyEvaluated: work.length };
}
