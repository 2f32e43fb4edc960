// The "Evals" section of a run report: every Inspect eval log the run wrote under <log_path>/evals/ (inline
// `evals=` / `inline_evals=` rounds), with its score and links to its per-sample transcript (HTML) and its log.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { logtree } from "@crucible/log";

const { escapeHtml } = logtree;

export interface EvalLogEntry {
  task: string;
  /** The round folder, relative to the run directory (e.g. evals/every/round_…_0). */
  round: string;
  status: string;
  samples: number;
  /** First scorer's metrics (accuracy, stderr, …). */
  metrics: Record<string, number>;
  /** Paths relative to the run directory. */
  logFile: string;
  transcriptFile: string | null;
}

interface LogShape {
  status?: string;
  eval?: { task?: string };
  results?: {
    total_samples?: number;
    scores?: { metrics?: Record<string, { name: string; value: number }> }[];
  };
}

function jsonFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return jsonFilesUnder(p);
    return e.name.endsWith(".json") ? [p] : [];
  });
}

/** The run's eval logs, in round order (round folders are named by time, then index). */
export function evalLogEntries(logPath: string): EvalLogEntry[] {
  const rel = (p: string) => relative(logPath, p).split(sep).join("/");
  const out: EvalLogEntry[] = [];
  for (const file of jsonFilesUnder(join(logPath, "evals")).sort()) {
    let log: LogShape;
    try {
      log = JSON.parse(readFileSync(file, "utf8")) as LogShape;
    } catch {
      continue; // not an eval log (or torn): nothing to link
    }
    if (!log.eval?.task) continue;
    const metrics: Record<string, number> = {};
    for (const m of Object.values(log.results?.scores?.[0]?.metrics ?? {})) metrics[m.name] = m.value;
    const html = file.replace(/\.json$/, ".html");
    out.push({
      task: log.eval.task,
      round: rel(join(file, "..")),
      status: log.status ?? "unknown",
      samples: log.results?.total_samples ?? 0,
      metrics,
      logFile: rel(file),
      transcriptFile: existsSync(html) ? rel(html) : null,
    });
  }
  return out;
}

const num = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(4));

/** An HTML table of the entries; links are relative, so the report opens from the run directory. */
export function evalLogsTableHtml(entries: readonly EvalLogEntry[]): string {
  const link = (href: string, text: string) =>
    `<a href="${escapeHtml(encodeURI(href))}">${escapeHtml(text)}</a>`;
  const rows = entries.map((e) => {
    const main = Object.keys(e.metrics).find((k) => k !== "stderr");
    const score = main ? `${escapeHtml(main)} ${num(e.metrics[main])} ± ${num(e.metrics["stderr"])}` : "-";
    return `<tr><td>${escapeHtml(e.round)}</td><td>${escapeHtml(e.task)}</td><td>${score}</td><td>${e.samples}</td><td>${escapeHtml(e.status)}</td><td>${e.transcriptFile ? link(e.transcriptFile, "transcript") : "-"}</td><td>${link(e.logFile, "log")}</td></tr>`;
  });
  return `<table class="lt-table eval-logs"><thead><tr><th>round</th><th>task</th><th>score</th><th>samples</th><th>status</th><th>transcript</th><th>eval log</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
