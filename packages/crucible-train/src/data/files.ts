import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  cachedCommit,
  datasetRepo,
  downloadDatasetFiles,
  hubSettings,
  readDataFile,
  splitMatcher,
  storageFolder,
} from "@crucible/hub";
import type { Message } from "@crucible/renderers";
import { DataFormatError } from "../errors.js";

/** One parsed row with where it came from, for error messages. */
export interface SourcedRow {
  value: Record<string, unknown>;
  file: string;
  /** 1-based line (JSONL) or row number (Parquet). */
  line: number;
}

/** Reads a JSONL file; a line that is not a JSON object is an error naming file and line. */
export function readJsonlRows(path: string): SourcedRow[] {
  const text = readFileSync(path, "utf8");
  const out: SourcedRow[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new DataFormatError(`${path}:${i + 1}: invalid JSON (${(err as Error).message})`, path, i + 1);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new DataFormatError(`${path}:${i + 1}: expected a JSON object per line`, path, i + 1);
    }
    out.push({ value: value as Record<string, unknown>, file: path, line: i + 1 });
  });
  return out;
}

/** Reads every row of a Parquet file as an object, row group by row group (@crucible/hub over hyparquet). */
export async function readParquetRows(path: string): Promise<SourcedRow[]> {
  const out: SourcedRow[] = [];
  for await (const value of readDataFile(path)) out.push({ value, file: path, line: out.length + 1 });
  return out;
}

/** Reads a JSONL or Parquet file by extension (`.jsonl.gz`/`.jsonl.zst` decompressed through @crucible/hub). */
export async function readRows(path: string): Promise<SourcedRow[]> {
  if (path.endsWith(".parquet")) return readParquetRows(path);
  if (path.endsWith(".jsonl") || path.endsWith(".json")) return readJsonlRows(path);
  if (/\.jsonl?\.(gz|zst)$/.test(path)) {
    const out: SourcedRow[] = [];
    try {
      for await (const value of readDataFile(path)) out.push({ value, file: path, line: out.length + 1 });
    } catch (err) {
      throw new DataFormatError((err as Error).message, path);
    }
    return out;
  }
  throw new DataFormatError(`${path}: unsupported data file type; use .jsonl(.gz|.zst) or .parquet`, path);
}

const ROLES = new Set(["system", "user", "assistant", "tool"]);

/**
 * Validates a row's conversation field (default `messages`) into renderer Messages. Errors name the file, line and the
 * exact field path, e.g. `data.jsonl:17: field "messages[2].content" …`.
 */
export function parseMessages(row: SourcedRow, field = "messages"): Message[] {
  const where = `${row.file}:${row.line}`;
  const fail = (f: string, msg: string): never => {
    throw new DataFormatError(`${where}: field "${f}" ${msg}`, row.file, row.line, f);
  };
  const raw = row.value[field];
  if (raw === undefined) fail(field, "is missing; each row needs a list of {role, content} messages");
  const list = Array.isArray(raw)
    ? raw
    : ArrayBuffer.isView(raw)
      ? Array.from(raw as unknown as ArrayLike<unknown>)
      : undefined;
  if (!list) return fail(field, "must be a list of messages");
  return list.map((m, i) => {
    const f = `${field}[${i}]`;
    if (!m || typeof m !== "object") fail(f, "must be an object with role and content");
    const msg = m as Record<string, unknown>;
    if (typeof msg.role !== "string" || !ROLES.has(msg.role))
      fail(`${f}.role`, `must be one of system, user, assistant, tool; got ${JSON.stringify(msg.role)}`);
    const content = msg.content;
    if (typeof content !== "string" && !Array.isArray(content))
      fail(`${f}.content`, "must be a string or a list of content parts");
    const out: Message = { role: msg.role as string, content: content as Message["content"] };
    if (typeof msg.trainable === "boolean") out.trainable = msg.trainable;
    return out;
  });
}

/** Options for locating a Hugging Face dataset's files. */
export interface HfDatasetSource {
  /** `owner/name`, e.g. `HuggingFaceH4/no_robots`. */
  repo: string;
  /** A local file or directory holding the split's files; searched before the HF cache. */
  localPath?: string;
  /** HF hub cache dir (default `$HF_HUB_CACHE`, `$HF_HOME/hub` or `~/.cache/huggingface/hub`). */
  cacheDir?: string;
  /** Download from the hub (`HF_ENDPOINT`) when the files are not local (default true; `HF_HUB_OFFLINE=1` forbids). */
  allowNetwork?: boolean;
  /** Dataset config (subset) directory, e.g. `preference` for HelpSteer3. */
  config?: string;
  /** Branch, tag or commit of the dataset repo (default main). */
  revision?: string;
}

export function hfCacheDir(): string {
  return hubSettings().cacheDir;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Files of `split` under a directory: `<split>-*.parquet`, `<split>.jsonl(.gz|.zst)`, … (sorted, config filtered). */
export function splitFilesIn(dir: string, split: string, config?: string): string[] {
  const match = splitMatcher({ split, config, anyDir: true });
  return walk(dir)
    .filter((p) => match(relative(dir, p).split("\\").join("/")))
    .sort();
}

/**
 * Finds the files of one split: a local path (file or dir), then the HF cache snapshot (`refs/<revision>` first),
 * then the hub through @crucible/hub (downloaded into the cache; `allowNetwork: false` or `HF_HUB_OFFLINE=1` forbid
 * it). Errors list where it looked and the command that fetches the dataset.
 */
export async function resolveSplitFiles(src: HfDatasetSource, split: string): Promise<string[]> {
  const searched: string[] = [];
  if (src.localPath) {
    if (existsSync(src.localPath) && statSync(src.localPath).isFile()) return [src.localPath];
    if (existsSync(src.localPath)) {
      const files = splitFilesIn(src.localPath, split, src.config);
      if (files.length > 0) return files;
    }
    searched.push(src.localPath);
  }
  const cacheDir = src.cacheDir ?? hfCacheDir();
  const repo = datasetRepo(src.repo);
  const snapshots = join(storageFolder(repo, cacheDir), "snapshots");
  if (existsSync(snapshots)) {
    const pinned = cachedCommit(repo, src.revision ?? "main", cacheDir);
    const revs = readdirSync(snapshots).sort((a, b) =>
      a === pinned ? -1 : b === pinned ? 1 : a < b ? -1 : 1,
    );
    for (const rev of revs) {
      const files = splitFilesIn(join(snapshots, rev), split, src.config);
      if (files.length > 0) return files;
    }
  }
  searched.push(snapshots);
  if (src.allowNetwork !== false && !hubSettings().offline) {
    const query = { repo: src.repo, match: splitMatcher({ split, config: src.config, anyDir: true }) };
    return downloadDatasetFiles(query, {
      settings: { cacheDir },
      ...(src.revision ? { revision: src.revision } : {}),
    });
  }
  throw new DataFormatError(
    `dataset ${src.repo} split "${split}" not found; looked in ${searched.join(", ")}` +
      `${src.allowNetwork === false ? "" : " (HF_HUB_OFFLINE=1)"}; fetch it with: crucible download dataset ${src.repo}, ` +
      "or pass localPath to its files (Parquet or JSONL)",
  );
}

/** Reads all rows of a split (files concatenated in name order). */
export async function loadSplitRows(src: HfDatasetSource, split: string): Promise<SourcedRow[]> {
  const rows: SourcedRow[] = [];
  for (const f of await resolveSplitFiles(src, split)) rows.push(...(await readRows(f)));
  return rows;
}
