// The run report every recipe writes at the end: `report.html` (+ `report_logtree.json`) with the config,
// the first and last logged values of every metric, the checkpoints and the inline eval logs (with links to their
// per-sample transcripts) — all read back from the run's own files, so the report shows exactly what was logged.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { logtree } from "@crucible/log";
import { evalLogEntries, evalLogsTableHtml } from "./report-evals.js";

export function readJsonl(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l.replace(/\bNaN\b|-?\bInfinity\b/g, "null")) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** First and last numeric value of each metric, in step order. */
export function metricSummary(
  rows: Record<string, unknown>[],
): Record<string, { first: number; last: number; firstStep: number; lastStep: number }> {
  const out: Record<string, { first: number; last: number; firstStep: number; lastStep: number }> = {};
  for (const r of rows) {
    const step = Number(r["step"]);
    for (const [k, v] of Object.entries(r)) {
      if (k === "step" || typeof v !== "number") continue;
      const e = out[k];
      if (!e) out[k] = { first: v, last: v, firstStep: step, lastStep: step };
      else {
        e.last = v;
        e.lastStep = step;
      }
    }
  }
  return out;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

export interface ReportExtras {
  /** Sections the recipe adds (e.g. a sample conversation). */
  sections?: { title: string; body: () => void }[];
}

export async function writeRunReport(
  logPath: string,
  title: string,
  config: Record<string, unknown>,
  extras: ReportExtras = {},
): Promise<string> {
  const path = join(logPath, "report.html");
  const rows = readJsonl(join(logPath, "metrics.jsonl"));
  const summary = metricSummary(rows);
  const checkpoints = readJsonl(join(logPath, "checkpoints.jsonl"));
  await logtree.initTrace(title, path, () => {
    logtree.scopeHeader("Metrics", () => {
      logtree.logText(`${rows.length} metrics.jsonl lines`);
      logtree.table(
        Object.entries(summary)
          .filter(([k]) => !k.startsWith("time/"))
          .map(([k, s]) => ({
            metric: k,
            first_step: s.firstStep,
            first: fmt(s.first),
            last_step: s.lastStep,
            last: fmt(s.last),
          })),
      );
    });
    logtree.scopeHeader("Checkpoints", () => {
      if (checkpoints.length === 0) logtree.logText("none");
      else
        logtree.table(
          checkpoints.map((c) => ({
            name: c["name"],
            batch: c["batch"] ?? "",
            epoch: c["epoch"] ?? "",
            state_path: c["state_path"] ?? "",
            sampler_path: c["sampler_path"] ?? "",
          })),
        );
    });
    const evals = evalLogEntries(logPath);
    if (evals.length > 0)
      logtree.scopeHeader("Evals", () => {
        logtree.logText(`${evals.length} eval logs under evals/ (per-sample transcripts linked)`);
        logtree.logHtml(evalLogsTableHtml(evals));
      });
    for (const s of extras.sections ?? []) logtree.scopeHeader(s.title, s.body);
    logtree.scopeDetails("Config", () =>
      logtree.tableFromDict(
        Object.fromEntries(
          Object.entries(config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : v]),
        ),
      ),
    );
  });
  return path;
}

/** Last logged value of each metric (what a recipe reports as its result). */
export function finalMetrics(logPath: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metricSummary(readJsonl(join(logPath, "metrics.jsonl")))).map(([k, s]) => [k, s.last]),
  );
}
