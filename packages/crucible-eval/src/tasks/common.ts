// Shared by the benchmark tasks: rows from a local file, a local folder, the Hugging Face cache or the hub (through
// @crucible/hub's readers; see benchmarks/rows.ts), typed field access whose errors name the benchmark, the row
// and the field.
import { existsSync } from "node:fs";
import type { Row } from "@crucible/hub";
import { BenchmarkDataError } from "../benchmarks/problems.js";
import { type BenchmarkSource, benchmarkRows, type SplitQuery } from "../benchmarks/rows.js";

export interface TaskLoadOptions {
  /** A local .jsonl/.parquet file instead of the dataset on the hub. */
  dataFile?: string;
  /** A local folder laid out like the hub repo (`<config>/<split>-*.parquet`, `<split>.jsonl`, …). */
  dataDir?: string;
  /** First N samples. */
  limit?: number;
  /** Seed for choice shuffles (GPQA) or sampling. */
  seed?: number;
}

/** The source a task reads: the caller's file or folder, else the dataset's split (HF cache, then the hub). */
export function taskSource(
  name: string,
  hub: { hf: string } & SplitQuery,
  opts: Pick<TaskLoadOptions, "dataFile" | "dataDir">,
): BenchmarkSource {
  for (const [field, path] of [
    ["dataFile", opts.dataFile],
    ["dataDir", opts.dataDir],
  ] as const)
    if (path !== undefined && !existsSync(path))
      throw new BenchmarkDataError(`${name}: ${field} ${path} does not exist`);
  if (opts.dataFile) return { files: [opts.dataFile] };
  if (opts.dataDir)
    return { dir: opts.dataDir, split: hub.split, ...(hub.config ? { config: hub.config } : {}) };
  return hub;
}

export async function taskRows(
  name: string,
  hub: { hf: string } & SplitQuery,
  opts: TaskLoadOptions,
): Promise<Row[]> {
  const src = taskSource(name, hub, opts);
  let rows: Row[];
  try {
    rows = await benchmarkRows(src, opts.limit);
  } catch (e) {
    throw new BenchmarkDataError(`${name}: no data: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (rows.length === 0) {
    const where =
      "files" in src ? src.files.join(", ") : "dir" in src ? src.dir : `${src.hf} (split ${src.split})`;
    throw new BenchmarkDataError(`${name}: no rows in ${where}; pass a local file or folder`);
  }
  return rows;
}

export function str(name: string, row: Row, i: number, field: string): string {
  const v = row[field];
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  throw new BenchmarkDataError(`${name}: row ${i} has no text field '${field}'`);
}

export function strList(name: string, row: Row, i: number, field: string): string[] {
  const v = row[field];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new BenchmarkDataError(`${name}: row ${i}: field '${field}' must be a list of strings`);
}

export function int(name: string, row: Row, i: number, field: string): number {
  const v = typeof row[field] === "bigint" ? Number(row[field]) : row[field];
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n === "number" && Number.isInteger(n)) return n;
  throw new BenchmarkDataError(`${name}: row ${i}: field '${field}' must be an integer`);
}
