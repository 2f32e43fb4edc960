// Offline evaluation: scores rows of `{input, output, target?}` (answers produced elsewhere) with any scorer —
// exact, regex, math or model-graded — writing one result line per row as it is scored and a summary at the
// end. Results are keyed by row id and the grader, so a rerun after a crash scores only the missing rows.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { mapWithConcurrency, readJsonlRows } from "@crucible/env";
import { writeFileAtomic } from "@crucible/log";
import { newState } from "../inspect/run-sample.js";
import type { Score, Scorer } from "../inspect/types.js";
import { scoreToFloat } from "../inspect/types.js";

export interface OfflineRow {
  id: string;
  input: string;
  output: string;
  target: string[];
}

export class OfflineDataError extends Error {
  override readonly name = "OfflineDataError";
}

/** Rows of a JSONL file; `id` defaults to the line index; `target` may be a string, a list or absent. */
export async function readOfflineRows(file: string): Promise<OfflineRow[]> {
  const rows = await readJsonlRows(file);
  const ids = new Set<string>();
  return rows.map((r, i) => {
    if (typeof r["input"] !== "string")
      throw new OfflineDataError(`${file}: row ${i}: 'input' must be a string`);
    if (typeof r["output"] !== "string")
      throw new OfflineDataError(`${file}: row ${i}: 'output' must be a string`);
    const t = r["target"];
    const target = t === undefined || t === null ? [] : Array.isArray(t) ? t.map(String) : [String(t)];
    const id = r["id"] === undefined ? String(i) : String(r["id"]);
    if (ids.has(id)) throw new OfflineDataError(`${file}: row ${i}: duplicate id '${id}'`);
    ids.add(id);
    return { id, input: r["input"], output: r["output"], target };
  });
}

export interface OfflineResult {
  id: string;
  grader: string;
  value: Score["value"];
  answer?: string;
  explanation?: string;
  error?: string;
}

export interface OfflineSummary {
  grader: string;
  rows: number;
  scored: number;
  errors: number;
  metrics: Record<string, number>;
  /** Rows scored by this call (the rest were in the results file already). */
  newly_scored: number;
}

export interface OfflineOptions {
  rows: readonly OfflineRow[];
  scorer: Scorer;
  resultsFile: string;
  summaryFile: string;
  concurrency?: number;
}

/** A key for the grader and its parameters: results of another grader are not reused. */
export function graderKey(s: Scorer): string {
  return `${s.name}:${createHash("sha256")
    .update(JSON.stringify(s.params ?? {}))
    .digest("hex")
    .slice(0, 8)}`;
}

function readResults(file: string, grader: string): Map<string, OfflineResult> {
  const done = new Map<string, OfflineResult>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as OfflineResult;
      if (r.grader === grader && r.error === undefined) done.set(r.id, r);
    } catch {
      /* torn last line of a killed run */
    }
  }
  return done;
}

export async function evaluateOffline(o: OfflineOptions): Promise<OfflineSummary> {
  const grader = graderKey(o.scorer);
  const done = readResults(o.resultsFile, grader);
  const todo = o.rows.filter((r) => !done.has(r.id));
  await mapWithConcurrency(todo, o.concurrency ?? 8, async (row) => {
    const state = newState({ id: row.id, input: row.input, target: row.target }, 1, "offline");
    state.output.completion = row.output;
    state.messages.push({ role: "assistant", content: row.output });
    let rec: OfflineResult;
    try {
      const s = await o.scorer.score(state, row.target);
      rec = {
        id: row.id,
        grader,
        value: s.value,
        ...(s.answer !== undefined ? { answer: s.answer } : {}),
        ...(s.explanation !== undefined ? { explanation: s.explanation } : {}),
      };
      done.set(row.id, rec);
    } catch (e) {
      rec = { id: row.id, grader, value: "N", error: e instanceof Error ? e.message : String(e) };
    }
    appendFileSync(o.resultsFile, `${JSON.stringify(rec)}\n`);
  });
  const scored = o.rows.map((r) => done.get(r.id)).filter((r): r is OfflineResult => r !== undefined);
  const values = scored.map((r) => scoreToFloat(r.value));
  const metrics: Record<string, number> = {};
  for (const m of o.scorer.metrics) {
    const v = m.compute(
      values,
      scored.map((r) => ({ value: r.value })),
    );
    if (Number.isFinite(v)) metrics[m.name] = v;
  }
  const summary: OfflineSummary = {
    grader,
    rows: o.rows.length,
    scored: scored.length,
    errors: o.rows.length - scored.length,
    metrics,
    newly_scored: todo.length,
  };
  writeFileAtomic(o.summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
