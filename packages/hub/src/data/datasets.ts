import { cachedFile, storageFolder } from "../cache.js";
import { authHeaders, fileMetadata, type HubRequestOptions, hubDownload } from "../download.js";
import { HubNotCachedError } from "../errors.js";
import { listRepoFiles } from "../listing.js";
import { datasetRepo } from "../repo.js";
import { withSettings } from "../settings.js";
import { DATA_FILE, type Row, readDataFile, readRemoteDataFile } from "./readers.js";

/** Which files of a dataset repo to read. */
export interface DatasetQuery {
  /** `org/name`, e.g. `HuggingFaceH4/no_robots`. */
  repo: string;
  /** Keeps the repo-relative paths that belong to the wanted split/config (see `splitMatcher`). */
  match: (path: string) => boolean;
}

export interface SplitMatcherOptions {
  split: string;
  /** Config (subset) directory, e.g. `main` for gsm8k, `preference` for HelpSteer3. */
  config?: string;
  /** Without a config: accept files in any directory (default: only the root, `data/` and `default/`). */
  anyDir?: boolean;
}

/**
 * The file naming `datasets` uses for splits: `[<config>/]…/<split>[-_.]….{parquet,jsonl,json}[.gz|.zst]`, e.g.
 * `data/train-00000-of-00001.parquet`, `main/test-00000-of-00001.parquet`, `preference/train.jsonl.gz`.
 */
export function splitMatcher(o: SplitMatcherOptions): (path: string) => boolean {
  return (path) => {
    const parts = path.split("/");
    const name = parts[parts.length - 1] as string;
    const dirs = parts.slice(0, -1);
    if (!DATA_FILE.test(name)) return false;
    if (!(name.startsWith(`${o.split}-`) || name.startsWith(`${o.split}.`) || name.startsWith(`${o.split}_`)))
      return false;
    if (o.config !== undefined) return dirs.includes(o.config);
    return o.anyDir === true || dirs.every((d) => d === "data" || d === "default");
  };
}

/** The repo-relative files of a dataset query, sorted (shard order); none found is a user error. */
export async function datasetFiles(q: DatasetQuery, opts: HubRequestOptions = {}): Promise<string[]> {
  const files = (await listRepoFiles(datasetRepo(q.repo), opts)).map((f) => f.path).filter(q.match);
  if (files.length === 0) {
    const s = withSettings(opts.settings);
    throw new HubNotCachedError(
      datasetRepo(q.repo),
      "no data file of the requested split/config",
      s.offline ? storageFolder(datasetRepo(q.repo), s.cacheDir) : `${s.endpoint} and the cache`,
      "the repo has none under the expected names",
      opts.revision,
    );
  }
  return files.sort();
}

/** Downloads (or finds in the cache) every file of a query; returns their local snapshot paths. */
export async function downloadDatasetFiles(q: DatasetQuery, opts: HubRequestOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const f of await datasetFiles(q, opts)) out.push(await hubDownload(datasetRepo(q.repo), f, opts));
  return out;
}

/** All rows of a query, files in shard order, downloaded into the cache first. */
export async function* datasetRows(q: DatasetQuery, opts: HubRequestOptions = {}): AsyncGenerator<Row> {
  for (const file of await downloadDatasetFiles(q, opts)) yield* readDataFile(file);
}

export interface StreamOptions extends HubRequestOptions {
  /** Called with the body bytes of every HTTP read (row groups, JSONL chunks). */
  onBytes?: (n: number) => void;
}

/**
 * Rows of a query without downloading whole files: cached files are read locally; otherwise Parquet row groups
 * come by HTTP range requests as the consumer pulls rows, and JSONL(.gz/.zst) as one streamed GET. Offline, only
 * cached files can be read.
 */
export async function* streamDatasetRows(q: DatasetQuery, opts: StreamOptions = {}): AsyncGenerator<Row> {
  const s = withSettings(opts.settings);
  const repo = datasetRepo(q.repo);
  const revision = opts.revision ?? "main";
  for (const path of await datasetFiles(q, opts)) {
    const cached = cachedFile(repo, path, revision, s.cacheDir);
    if (cached) {
      yield* readDataFile(cached);
      continue;
    }
    if (s.offline)
      throw new HubNotCachedError(
        repo,
        `file ${path}`,
        storageFolder(repo, s.cacheDir),
        "HF_HUB_OFFLINE=1",
        revision,
      );
    const meta = await fileMetadata(s, repo, path, revision);
    if (meta.size === undefined)
      throw new HubNotCachedError(repo, `size of ${path}`, meta.url, "unknown", revision);
    yield* readRemoteDataFile(
      path,
      { url: meta.url, size: meta.size, headers: authHeaders(s) },
      opts.onBytes,
    );
  }
}

/** Takes the first `n` rows of an async stream (the cookbook's `.take(max_prompts)`); stops reading after. */
export async function* take<T>(src: AsyncIterable<T>, n: number | null | undefined): AsyncGenerator<T> {
  if (n === 0) return;
  let i = 0;
  for await (const x of src) {
    yield x;
    if (n !== null && n !== undefined && ++i >= n) return;
  }
}
