// Helpers for the recipes' end-to-end tests: run the real CLI in-process on the local backend and read
// back the run directory.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../cli/app.js";
import { commands } from "../cli/commands.js";

/** A fresh temp dir; also points the local backend's checkpoint store inside it. */
export function e2eDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `crucible-${name}-`));
  process.env["CRUCIBLE_LOCAL_DIR"] = join(dir, "store");
  return dir;
}

export async function crucible(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l.replace(/\bNaN\b/g, "null")) as Record<string, unknown>);
}

/** Every file below `dir` (relative), for asserting on reports. */
export function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** Union of metric names over all lines. */
export function metricNames(rows: Record<string, unknown>[]): Set<string> {
  return new Set(rows.flatMap((r) => Object.keys(r)));
}

/**
 * The eval links of a run's report.html: every `evals/…` href, checked to exist, and every transcript the run's
 * evals wrote (evals/**\/*.html), checked to be linked. Returns the linked transcripts.
 */
export function reportEvalLinks(logPath: string): { transcripts: string[]; logs: string[] } {
  const html = readFileSync(join(logPath, "report.html"), "utf8");
  const hrefs = [...html.matchAll(/href="(evals\/[^"]+)"/g)].map((m) => decodeURI(m[1]!));
  const missing = hrefs.filter((h) => !existsSync(join(logPath, h)));
  if (missing.length) throw new Error(`report.html links missing files: ${missing.join(", ")}`);
  const written = listFiles(join(logPath, "evals"), "evals/").filter((f) => f.endsWith(".html"));
  const unlinked = written.filter((f) => !hrefs.includes(f));
  if (unlinked.length) throw new Error(`transcripts not linked from report.html: ${unlinked.join(", ")}`);
  return {
    transcripts: hrefs.filter((h) => h.endsWith(".html")),
    logs: hrefs.filter((h) => h.endsWith(".json")),
  };
}
