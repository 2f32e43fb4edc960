import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  cachedCommit,
  datasetFiles,
  datasetRepo,
  downloadDatasetFiles,
  hubSettings,
  jsonlRows,
  readDataFile,
  splitMatcher,
  storageFolder,
} from "@crucible/hub";

export type Row = Record<string, unknown>;

export class DatasetSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetSourceError";
  }
}

async function collect(it: AsyncIterable<Row>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** Rows of a JSONL file (blank lines skipped). */
export async function readJsonlRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) throw new DatasetSourceError(`dataset file not found: ${path}`);
  return collect(jsonlRows(path)).catch((e: unknown) => {
    throw e instanceof Error && e.name === "DataFileError" ? new DatasetSourceError(e.message) : e;
  });
}

/** Rows of a Parquet file, in file order (row group by row group, through @crucible/hub). */
export async function readParquetRows(path: string): Promise<Row[]> {
  return collect(readDataFile(path));
}

/** Rows of a `.jsonl`/`.json` (JSON array or JSONL, optionally .gz/.zst) or `.parquet` file. */
export async function readRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) throw new DatasetSourceError(`dataset file not found: ${path}`);
  return collect(readDataFile(path)).catch((e: unknown) => {
    throw e instanceof Error && e.name === "DataFileError" ? new DatasetSourceError(e.message) : e;
  });
}

/** The Hugging Face hub cache directory (`HF_HUB_CACHE`, `HF_HOME/hub`, or `~/.cache/huggingface/hub`). */
export function hfHubCacheDir(): string {
  return hubSettings().cacheDir;
}

export interface HfCacheQuery {
  /** e.g. `openai/gsm8k`. */
  repoId: string;
  /** Config (subset) directory, e.g. `main`, `algebra`. */
  config?: string;
  split: string;
  cacheDir?: string;
  /** Branch, tag or commit (default main). */
  revision?: string;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/**
 * Data files of a dataset split already in the HF hub cache (`datasets--org--name/snapshots/<rev>/…`), sorted by
 * path (shard order): the snapshot `refs/<revision>` points at, else the newest snapshot. Matches
 * `<config>/<split>-*.{parquet,jsonl}` or `<config>/<split>.jsonl`, also under `data/`. Cache only; see
 * `locateHfFiles` for the hub.
 */
export function findHfCachedFiles(q: HfCacheQuery): string[] {
  const cacheDir = q.cacheDir ?? hfHubCacheDir();
  const repo = datasetRepo(q.repoId);
  const base = join(storageFolder(repo, cacheDir), "snapshots");
  if (!existsSync(base)) {
    throw new DatasetSourceError(
      `dataset ${q.repoId} is not in the HF cache (${base} missing); fetch it with: crucible download dataset ${q.repoId}`,
    );
  }
  const pinned = cachedCommit(repo, q.revision ?? "main", cacheDir);
  const snapshots = readdirSync(base).sort();
  const snap = pinned && snapshots.includes(pinned) ? pinned : snapshots[snapshots.length - 1];
  if (!snap) throw new DatasetSourceError(`no snapshot of ${q.repoId} in ${base}`);
  const files: string[] = [];
  walk(join(base, snap), files);
  const match = splitMatcher({ split: q.split, config: q.config });
  const matches = files.filter((f) =>
    match(
      f
        .slice(join(base, snap).length + 1)
        .split("\\")
        .join("/"),
    ),
  );
  if (matches.length === 0) {
    throw new DatasetSourceError(
      `no ${q.split} files for ${q.repoId}${q.config ? ` (config ${q.config})` : ""} under ${join(base, snap)}`,
    );
  }
  return matches.sort();
}

/**
 * The files of a split: the HF cache first, then the hub (`HF_ENDPOINT`, `HF_TOKEN`). With `download` the files are
 * fetched into the cache and local paths returned; without, the hub listing only proves they exist (dry runs) and
 * repo-relative paths are returned. Offline and not cached → a one-line HubNotCachedError naming the fetch command.
 */
export async function locateHfFiles(q: HfCacheQuery, opts: { download: boolean }): Promise<string[]> {
  try {
    return findHfCachedFiles(q);
  } catch (e) {
    if (!(e instanceof DatasetSourceError)) throw e;
  }
  const query = { repo: q.repoId, match: splitMatcher({ split: q.split, config: q.config }) };
  const options = {
    ...(q.revision ? { revision: q.revision } : {}),
    settings: q.cacheDir ? { cacheDir: q.cacheDir } : {},
  };
  return opts.download ? downloadDatasetFiles(query, options) : datasetFiles(query, options);
}

/** Where rows come from: local files (in order) or a split of a dataset on the hub (cache first). */
export type RowSource = { files: string[] } | ({ hf: string } & Omit<HfCacheQuery, "repoId">);

export async function loadRows(source: RowSource): Promise<Row[]> {
  const files =
    "files" in source
      ? source.files
      : await locateHfFiles({ ...source, repoId: source.hf }, { download: true });
  const out: Row[] = [];
  for (const f of files) for (const r of await readRows(f)) out.push(r);
  return out;
}
