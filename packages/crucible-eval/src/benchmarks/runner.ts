// Benchmark runner over the env protocol: samples each problem's env with a sampling client, grades it with
// the env's own reward, and writes `<out>/<benchmark>/trajectories.jsonl` (one line per finished problem)
// and `result.json`. Everything is keyed by a content hash of (problems, sampling config, model id), so a
// rerun with the same inputs returns the stored result, and an interrupted run resumes where it stopped.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  doSingleRollout,
  type EnvRenderer,
  mapWithConcurrency,
  type SamplingClientLike,
  tinkerTokenCompleter,
} from "@crucible/env";
import { writeFileAtomic } from "@crucible/log";
import type { BenchmarkProblem } from "./benchmark-problem.js";

export interface BenchmarkRunConfig {
  maxTokens: number;
  /** 0 = greedy (the default: a measurement, not exploration). */
  temperature?: number;
  /** Samples per problem; accuracy averages over all of them. */
  numSamples?: number;
  concurrency?: number;
}

export interface BenchmarkRunOptions extends BenchmarkRunConfig {
  name: string;
  problems: readonly BenchmarkProblem[];
  samplingClient: SamplingClientLike;
  renderer: EnvRenderer;
  /** Identifies the weights (e.g. the sampler's tinker:// path or the base model name); part of the hash. */
  modelId: string;
  rendererName: string;
  /** Directory that holds one subdirectory per benchmark. */
  outDir: string;
  /** Tokens → text for the transcript (optional). */
  decode?: (tokens: number[]) => string;
}

export interface SampleRecord {
  response: string | null;
  num_tokens: number;
  stop_reason: string;
  reward: number;
  correct: number;
  format: number;
}

export interface TrajectoryRecord {
  run_hash: string;
  problem_id: string;
  question: string;
  reference: string;
  /** The problem's attributes (MATH-500: subject, level), when it has any. */
  meta?: Record<string, string>;
  samples: SampleRecord[];
}

/** Accuracy over the problems sharing one attribute value (e.g. subject "Algebra"). */
export interface BreakdownEntry {
  num_problems: number;
  accuracy: number;
}

export interface BenchmarkResult {
  benchmark: string;
  run_hash: string;
  model: string;
  renderer: string;
  num_problems: number;
  num_samples: number;
  accuracy: number;
  format_rate: number;
  mean_reward: number;
  max_tokens: number;
  temperature: number;
  /** Problems answered by this invocation (the rest came from an earlier, interrupted run). */
  newly_evaluated: number;
  /** Per attribute (e.g. `subject`, `level`), accuracy per value; only when the problems carry attributes. */
  breakdown?: Record<string, Record<string, BreakdownEntry>>;
}

/** Hash of everything that determines the outcome; a change in any of them starts a fresh run. */
export function benchmarkHash(
  o: Omit<BenchmarkRunOptions, "samplingClient" | "renderer" | "outDir" | "decode" | "concurrency">,
): string {
  const h = createHash("sha256");
  h.update(
    JSON.stringify({
      v: 1,
      name: o.name,
      model: o.modelId,
      renderer: o.rendererName,
      maxTokens: o.maxTokens,
      temperature: o.temperature ?? 0,
      numSamples: o.numSamples ?? 1,
      problems: o.problems.map((p) => [p.id, p.question, p.reference]),
    }),
  );
  return h.digest("hex").slice(0, 16);
}

function readDone(file: string, hash: string): Map<string, TrajectoryRecord> {
  const done = new Map<string, TrajectoryRecord>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as TrajectoryRecord;
      if (r.run_hash === hash) done.set(r.problem_id, r);
    } catch {
      /* a torn last line from a killed run: that problem is simply redone */
    }
  }
  return done;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export async function runBenchmark(o: BenchmarkRunOptions): Promise<BenchmarkResult> {
  const hash = benchmarkHash(o);
  const dir = join(o.outDir, o.name);
  const resultFile = join(dir, "result.json");
  const trajFile = join(dir, "trajectories.jsonl");
  if (existsSync(resultFile)) {
    const prev = JSON.parse(readFileSync(resultFile, "utf8")) as BenchmarkResult;
    if (prev.run_hash === hash) return { ...prev, newly_evaluated: 0 };
  }
  mkdirSync(dir, { recursive: true });
  const done = readDone(trajFile, hash);
  // Lines of other runs (different model or config) are dropped: the file only ever describes one run.
  if (
    existsSync(trajFile) &&
    readFileSync(trajFile, "utf8")
      .split("\n")
      .filter((l) => l.trim()).length !== done.size
  ) {
    writeFileAtomic(trajFile, [...done.values()].map((r) => `${JSON.stringify(r)}\n`).join(""));
  }
  const todo = o.problems.filter((p) => !done.has(p.id));
  const numSamples = o.numSamples ?? 1;
  const policy = tinkerTokenCompleter({
    samplingClient: o.samplingClient,
    maxTokens: o.maxTokens,
    temperature: o.temperature ?? 0,
  });
  await mapWithConcurrency(todo, o.concurrency ?? 8, async (p) => {
    const samples: SampleRecord[] = [];
    for (let s = 0; s < numSamples; s++) {
      const traj = await doSingleRollout(policy, p.makeEnv(o.renderer));
      const last = traj.transitions[traj.transitions.length - 1];
      const tokens = traj.transitions.flatMap((t) => t.ac.tokens);
      samples.push({
        response: o.decode ? o.decode(tokens) : null,
        num_tokens: tokens.length,
        stop_reason: last?.ac.stopReason ?? "stop",
        reward: traj.transitions.reduce((a, t) => a + t.reward, 0),
        correct: last?.metrics["correct"] ?? 0,
        format: last?.metrics["format"] ?? 0,
      });
    }
    const rec: TrajectoryRecord = {
      run_hash: hash,
      problem_id: p.id,
      question: p.question,
      reference: p.reference,
      ...(p.meta && Object.keys(p.meta).length ? { meta: p.meta } : {}),
      samples,
    };
    appendFileSync(trajFile, `${JSON.stringify(rec)}\n`);
    done.set(p.id, rec);
  });
  const records = o.problems.map((p) => done.get(p.id)!);
  const all = records.flatMap((r) => r.samples);
  const breakdown = breakdownOf(o.problems, records);
  const result: BenchmarkResult = {
    benchmark: o.name,
    run_hash: hash,
    model: o.modelId,
    renderer: o.rendererName,
    num_problems: o.problems.length,
    num_samples: numSamples,
    accuracy: mean(all.map((s) => s.correct)),
    format_rate: mean(all.map((s) => s.format)),
    mean_reward: mean(all.map((s) => s.reward)),
    max_tokens: o.maxTokens,
    temperature: o.temperature ?? 0,
    newly_evaluated: todo.length,
    ...(breakdown ? { breakdown } : {}),
  };
  writeFileAtomic(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Mean correctness grouped by every attribute the problems carry; undefined when none carry any. */
function breakdownOf(
  problems: readonly BenchmarkProblem[],
  records: readonly TrajectoryRecord[],
): BenchmarkResult["breakdown"] {
  const acc: Record<string, Record<string, { n: number; correct: number[] }>> = {};
  problems.forEach((p, i) => {
    for (const [k, v] of Object.entries(p.meta ?? {})) {
      acc[k] ??= {};
      const byValue = acc[k];
      byValue[v] ??= { n: 0, correct: [] };
      const e = byValue[v];
      e.n++;
      e.correct.push(...(records[i]?.samples ?? []).map((s) => s.correct));
    }
  });
  if (Object.keys(acc).length === 0) return undefined;
  const out: Record<string, Record<string, BreakdownEntry>> = {};
  for (const [k, byValue] of Object.entries(acc)) {
    out[k] = {};
    for (const v of Object.keys(byValue).sort()) {
      const e = byValue[v]!;
      out[k]![v] = { num_problems: e.n, accuracy: mean(e.correct) };
    }
  }
  return out;
}

/** The stored per-problem records of a benchmark directory. */
export function readTrajectories(outDir: string, name: string): TrajectoryRecord[] {
  const f = join(outDir, name, "trajectories.jsonl");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TrajectoryRecord);
}
