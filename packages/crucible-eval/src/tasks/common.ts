// Shared by the benchmark tasks: rows from a local file or the Hugging Face cache (never the network), typed
// field access whose errors name the benchmark, the row and the field.
import { loadRows, type Row, type RowSource } from "@crucible/env";
import { BenchmarkDataError } from "../benchmarks/problems.js";

export interface TaskLoadOptions {
  /** A local .jsonl/.parquet file instead of the HF cache. */
  dataFile?: string;
  /** First N samples. */
  limit?: number;
  /** Seed for choice shuffles (GPQA) or sampling. */
  seed?: number;
}

export async function taskRows(name: string, source: RowSource, opts: TaskLoadOptions): Promise<Row[]> {
  const src: RowSource = opts.dataFile ? { files: [opts.dataFile] } : source;
  let rows: Row[];
  try {
    rows = await loadRows(src);
  } catch (e) {
    throw new BenchmarkDataError(`${name}: no local data: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (rows.length === 0) {
    const where = "files" in src ? src.files.join(", ") : `the HF cache (${src.hf}, split ${src.split})`;
    throw new BenchmarkDataError(`${name}: no rows in ${where}; pass a local file (${name}_file=…)`);
  }
  return opts.limit !== undefined ? rows.slice(0, opts.limit) : rows;
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
