// Where benchmark rows come from, read through @crucible/hub's readers (Parquet row groups, JSONL(.gz/.zst)):
// local files, a local folder laid out like the hub repo, or a split of a hub dataset — the HF cache first
// (refs/main → snapshots/<commit>/), then the hub, downloading into that cache (HF_HUB_OFFLINE=1: cache only).
import { existsSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import {
  cachedCommit,
  cachedSnapshotFiles,
  datasetRepo,
  downloadDatasetFiles,
  fetchCommand,
  hubSettings,
  type Row,
  readDataFile,
  snapshotDir,
  splitMatcher,
} from "@crucible/hub";

export interface SplitQuery {
  split: string;
  /** Config (subset) folder, e.g. `main` for gsm8k, `all` for MMLU. */
  config?: string;
}

/** Local files in order; a local folder holding the split's files; or a hub dataset (`hf: org/name`). */
export type BenchmarkSource =
  | { files: string[] }
  | ({ dir: string } & SplitQuery)
  | ({ hf: string } & SplitQuery & { revision?: string; cacheDir?: string });

export class BenchmarkSourceError extends Error {
  override readonly name = "BenchmarkSourceError";
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p).split(sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

/** The local paths of a source's files (cache hits need no network; misses download into the cache). */
export async function benchmarkFiles(src: BenchmarkSource): Promise<string[]> {
  if ("files" in src) {
    const missing = src.files.find((f) => !existsSync(f));
    if (missing) throw new BenchmarkSourceError(`dataset file not found: ${missing}`);
    return src.files;
  }
  if ("dir" in src) {
    // A folder copied from the hub keeps its layout; without a config any sub-folder is accepted.
    const match = splitMatcher({ split: src.split, config: src.config, anyDir: src.config === undefined });
    const found = filesUnder(src.dir).filter(match);
    if (found.length === 0)
      throw new BenchmarkSourceError(
        `no ${src.split} split files in ${src.dir} (expected e.g. ${src.config ?? "data"}/${src.split}-00000-of-00001.parquet or ${src.split}.jsonl)`,
      );
    return found.map((f) => join(src.dir, f));
  }
  const repo = datasetRepo(src.hf);
  const cacheDir = src.cacheDir ?? hubSettings().cacheDir;
  const revision = src.revision ?? "main";
  const match = splitMatcher({ split: src.split, config: src.config });
  const cached = cachedSnapshotFiles(repo, revision, cacheDir)?.filter(match);
  if (cached && cached.length > 0) {
    const root = snapshotDir(repo, cachedCommit(repo, revision, cacheDir)!, cacheDir);
    return cached.sort().map((f) => join(root, f));
  }
  try {
    return await downloadDatasetFiles(
      { repo: src.hf, match },
      { revision, ...(src.cacheDir ? { settings: { cacheDir: src.cacheDir } } : {}) },
    );
  } catch (e) {
    throw new BenchmarkSourceError(
      `${src.hf} (${src.config ? `${src.config}/` : ""}${src.split}) is neither in the HF cache (${cacheDir}) nor fetched: ${e instanceof Error ? e.message : String(e)}; fetch it with: ${fetchCommand(repo)}`,
    );
  }
}

/** Rows of a source in file order; with `limit`, reading stops after that many rows. */
export async function benchmarkRows(src: BenchmarkSource, limit?: number): Promise<Row[]> {
  const out: Row[] = [];
  for (const f of await benchmarkFiles(src)) {
    for await (const r of readDataFile(f)) {
      if (limit !== undefined && out.length >= limit) return out;
      out.push(r);
    }
  }
  return out;
}
