import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HubSettings } from "../settings.js";
import { LocalHub } from "../testing/local-hub.js";
import { datasetRows, downloadDatasetFiles, splitMatcher, streamDatasetRows, take } from "./datasets.js";
import { DataFileError, jsonlRows } from "./readers.js";

let hub: LocalHub;
const dirs: string[] = [];
const ROWS = 4000;
const GROUP = 1000;
let parquetBytes: number;
// Pseudo-random text so snappy cannot shrink the row groups to nothing.
const text = (i: number) =>
  Array.from({ length: 20 }, (_, j) => ((i * 7919 + j * 104729) % 99991).toString(36)).join(" ");
const ZST = new Uint8Array(readFileSync(new URL("../../test/fixtures/rows.jsonl.zst", import.meta.url)));

beforeAll(async () => {
  hub = await LocalHub.start();
  const parquet = new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "id", data: Array.from({ length: ROWS }, (_, i) => i), type: "INT32" },
        { name: "text", data: Array.from({ length: ROWS }, (_, i) => text(i)), type: "STRING" },
      ],
      rowGroupSize: GROUP,
    }),
  );
  parquetBytes = parquet.byteLength;
  hub.commit("dataset", "acme/big", {
    "data/train-00000-of-00001.parquet": parquet,
    "data/test-00000-of-00001.jsonl": '{"q":"a"}\n{"q":"b"}\n',
    "preference/train.jsonl.gz": gzipSync('{"p":1}\n{"p":2}\n'),
    "preference/validation.jsonl.zst": ZST,
    "README.md": "# acme/big",
  });
});
afterAll(() => hub.close());
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function settings(): Partial<HubSettings> {
  const cacheDir = mkdtempSync(join(os.tmpdir(), "hub-ds-"));
  dirs.push(cacheDir);
  return { endpoint: hub.url, cacheDir, offline: false, token: undefined };
}
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe("dataset readers over the hub", () => {
  it("streams a multi-row-group Parquet file by range requests: the first rows cost one row group", async () => {
    const q = { repo: "acme/big", match: splitMatcher({ split: "train" }) };
    let fetched = 0;
    const before = hub.bytesServed("lfs-cdn");
    const first = await collect(
      take(streamDatasetRows(q, { settings: settings(), onBytes: (n) => (fetched += n) }), 10),
    );
    expect(first.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first[3]?.text).toBe(text(3));
    const served = hub.bytesServed("lfs-cdn") - before;
    expect(served).toBe(fetched); // every byte the reader counted came from the hub, and nothing else
    // footer + one of four row groups: well under half the file
    expect(served).toBeLessThan(parquetBytes / 2);
    expect(hub.requests.filter((r) => r.url.includes("lfs-cdn")).every((r) => r.range !== undefined)).toBe(
      true,
    );

    const all = await collect(streamDatasetRows(q, { settings: settings() }));
    expect(all).toHaveLength(ROWS);
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });

  it("reads JSONL, JSONL.gz and JSONL.zst (a frame from the zstd CLI), by config and split", async () => {
    const s = settings();
    const read = (split: string, config?: string) =>
      collect(
        datasetRows(
          { repo: "acme/big", match: splitMatcher({ split, config }) },
          { settings: s, progress: false },
        ),
      );
    expect(await read("test")).toEqual([{ q: "a" }, { q: "b" }]);
    expect(await read("train", "preference")).toEqual([{ p: 1 }, { p: 2 }]);
    expect((await read("validation", "preference")).map((r) => r.text)).toEqual(["alpha", "beta", "gamma"]);
    // streamed (not downloaded) JSONL.zst gives the same rows
    const q = { repo: "acme/big", match: splitMatcher({ split: "validation", config: "preference" }) };
    expect((await collect(streamDatasetRows(q, { settings: settings() }))).map((r) => r.id)).toEqual([
      1, 2, 3,
    ]);
  });

  it("offline: downloaded files are listed and read from the cache; others name the fetch command", async () => {
    const s = settings();
    const q = { repo: "acme/big", match: splitMatcher({ split: "test" }) };
    await downloadDatasetFiles(q, { settings: s, progress: false });
    const n = hub.requests.length;
    const offline = { ...s, offline: true };
    expect(await collect(streamDatasetRows(q, { settings: offline }))).toEqual([{ q: "a" }, { q: "b" }]);
    expect(hub.requests.length).toBe(n);
    await expect(
      collect(streamDatasetRows({ repo: "acme/other", match: q.match }, { settings: offline })),
    ).rejects.toThrow(/dataset acme\/other: .*fetch it with: crucible download dataset acme\/other/);
  });

  it("a malformed JSONL line is an error naming the file and line", async () => {
    async function* bytes() {
      yield new TextEncoder().encode('{"a":1}\n{oops\n');
    }
    await expect(collect(jsonlRows("x.jsonl", bytes()))).rejects.toThrow(DataFileError);
    await expect(collect(jsonlRows("x.jsonl", bytes()))).rejects.toThrow(/^x\.jsonl:2: invalid JSON/);
  });
});
