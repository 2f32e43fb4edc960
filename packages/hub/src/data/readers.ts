import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { HubHttpError } from "../errors.js";

export type Row = Record<string, unknown>;

/**
 * Random-access bytes (structurally hyparquet's AsyncBuffer). Our own type so the public declarations
 * never import from the ESM-only hyparquet (a CommonJS TypeScript consumer could not resolve them).
 */
export interface ByteSource {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/** A data file that is malformed: names the file and line (or row group). */
export class DataFileError extends Error {
  readonly category = "user" as const;
  constructor(message: string) {
    super(message);
    this.name = "DataFileError";
  }
}

/** Data file kinds read by extension. */
export const DATA_FILE = /\.(parquet|jsonl|json|jsonl\.gz|json\.gz|jsonl\.zst|json\.zst)$/;

/** A remote file read by HTTP range requests; `fetched` counts the body bytes received. */
export interface RemoteFile {
  url: string;
  size: number;
  headers?: Record<string, string>;
}

/** A ByteSource over HTTP byte ranges (hyparquet reads the footer, then only the column chunks it needs). */
export function rangeBuffer(file: RemoteFile, onBytes: (n: number) => void = () => {}): ByteSource {
  return {
    byteLength: file.size,
    async slice(start: number, end?: number) {
      const stop = Math.min(end ?? file.size, file.size);
      if (stop <= start) return new ArrayBuffer(0);
      const res = await fetch(file.url, {
        headers: { ...file.headers, range: `bytes=${start}-${stop - 1}` },
      });
      if (res.status !== 206 && !(res.ok && start === 0 && stop === file.size))
        throw new HubHttpError(file.url, res.status, "range request refused (the hub must answer 206)");
      const buf = await res.arrayBuffer();
      onBytes(buf.byteLength);
      return buf;
    },
  };
}

/** Parquet rows, one row group at a time: only the footer and the current group's column chunks are read. */
export async function* parquetRows(source: string | ByteSource, label = String(source)): AsyncGenerator<Row> {
  const file = typeof source === "string" ? await asyncBufferFromFile(source) : source;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file, { initialFetchSize: Math.min(file.byteLength, 64 * 1024) });
  } catch (err) {
    throw new DataFileError(`${label}: not a readable Parquet file (${(err as Error).message})`);
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = (await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors })) as Row[];
    yield* rows;
    rowStart = rowEnd;
  }
}

/** Bytes of a local file or a remote one (one streamed GET), decompressed by extension (.gz, .zst). */
async function* textChunks(path: string, stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (path.endsWith(".gz")) {
    yield* Readable.from(stream).pipe(createGunzip()) as AsyncIterable<Uint8Array>;
    return;
  }
  if (path.endsWith(".zst")) {
    const out: Uint8Array[] = [];
    const z = new Decompress((chunk) => out.push(chunk));
    for await (const chunk of stream) {
      z.push(chunk);
      yield* out.splice(0);
    }
    z.push(new Uint8Array(0), true);
    yield* out.splice(0);
    return;
  }
  yield* stream;
}

/** JSON Lines rows (blank lines skipped); a `.json` file holding one array is read whole. */
export async function* jsonlRows(path: string, stream?: AsyncIterable<Uint8Array>): AsyncGenerator<Row> {
  const bytes = textChunks(path, stream ?? (createReadStream(path) as AsyncIterable<Uint8Array>));
  const decoder = new TextDecoder();
  let pending = "";
  let line = 0;
  let first = true;
  let arrayText: string | undefined;
  const parse = (raw: string): Row | undefined => {
    line++;
    if (!raw.trim()) return undefined;
    try {
      const v = JSON.parse(raw) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Row;
    } catch (err) {
      throw new DataFileError(`${path}:${line}: invalid JSON (${(err as Error).message})`);
    }
    throw new DataFileError(`${path}:${line}: expected a JSON object per line`);
  };
  for await (const chunk of bytes) {
    pending += decoder.decode(chunk, { stream: true });
    if (first && pending.trimStart().length > 0) {
      first = false;
      if (/\.json(\.gz|\.zst)?$/.test(path) && pending.trimStart().startsWith("[")) arrayText = "";
    }
    if (arrayText !== undefined) continue;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const l of lines) {
      const row = parse(l);
      if (row) yield row;
    }
  }
  pending += decoder.decode();
  if (arrayText !== undefined) {
    yield* JSON.parse(pending) as Row[];
    return;
  }
  const row = parse(pending);
  if (row) yield row;
}

/** Rows of a local data file by extension (.parquet, .jsonl/.json, optionally .gz/.zst). */
export function readDataFile(path: string): AsyncGenerator<Row> {
  if (path.endsWith(".parquet")) return parquetRows(path);
  if (DATA_FILE.test(path)) return jsonlRows(path);
  throw new DataFileError(`${path}: unsupported data file; use .parquet, .jsonl, .jsonl.gz or .jsonl.zst`);
}

/** Rows of a remote data file: Parquet by ranged row groups, JSONL as one streamed (decompressed) GET. */
export async function* readRemoteDataFile(
  path: string,
  file: RemoteFile,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<Row> {
  if (path.endsWith(".parquet")) {
    yield* parquetRows(rangeBuffer(file, onBytes), path);
    return;
  }
  const res = await fetch(file.url, { headers: file.headers ?? {} });
  if (!res.ok || !res.body) throw new HubHttpError(file.url, res.status, res.statusText);
  const body = res.body as unknown as AsyncIterable<Uint8Array>;
  async function* counted() {
    for await (const c of body) {
      onBytes(c.byteLength);
      yield c;
    }
  }
  yield* jsonlRows(path, counted());
}
