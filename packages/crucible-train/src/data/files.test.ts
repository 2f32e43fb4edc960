import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { permutation } from "@crucible/env";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { DataFormatError } from "../errors.js";
import { UltraFeedbackComparisonBuilder } from "../preference/comparison-builders.js";
import { NoRobotsBuilder } from "../supervised/builders.js";
import { readParquetRows, resolveSplitFiles } from "./files.js";

const renderer = getRenderer("qwen3", getTokenizerSync("Qwen/Qwen3-8B"));
const common = {
  modelNameForTokenizer: "Qwen/Qwen3-8B",
  rendererName: "qwen3",
  maxLength: 128,
  batchSize: 2,
};
const FIXTURE = join(import.meta.dirname, "../../test/fixtures/conversations.jsonl");

describe("dataset files: local path, HF cache layout, Parquet", () => {
  it("NoRobotsBuilder reads the HF cache snapshot (JSONL split files): train shuffled(0), test unshuffled", async () => {
    const cache = mkdtempSync(join(tmpdir(), "hf-cache-"));
    const data = join(cache, "datasets--HuggingFaceH4--no_robots", "snapshots", "0123abc", "data");
    mkdirSync(data, { recursive: true });
    const lines = readFileSync(FIXTURE, "utf8").trim().split("\n");
    writeFileSync(join(data, "train-00000-of-00001.jsonl"), `${lines.slice(0, 20).join("\n")}\n`);
    writeFileSync(join(data, "test-00000-of-00001.jsonl"), `${lines.slice(20, 26).join("\n")}\n`);
    const b = new NoRobotsBuilder(common, { cacheDir: cache }, renderer);
    const { train, test } = await b.build();
    expect(train.length).toBe(10);
    expect(test?.length).toBe(3);
    const first = JSON.parse(lines[permutation(0, 20)[0] as number] as string).messages;
    const trainRows = (train as unknown as { original: { get(i: number): { messages: unknown } } }).original;
    expect(trainRows.get(0).messages).toEqual(first);
    await expect(
      new NoRobotsBuilder(common, { cacheDir: join(cache, "none"), allowNetwork: false }, renderer).build(),
    ).rejects.toThrow(/not found; looked in/);
  });
  it("Parquet rows via hyparquet; UltraFeedback from a local directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "uf-"));
    const n = 6;
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "instruction", data: Array.from({ length: n }, (_, i) => `question ${i}`), type: "STRING" },
        { name: "chosen_response", data: Array.from({ length: n }, (_, i) => `good ${i}`), type: "STRING" },
        { name: "rejected_response", data: Array.from({ length: n }, (_, i) => `bad ${i}`), type: "STRING" },
      ],
    });
    const file = join(dir, "train-00000-of-00001.parquet");
    writeFileSync(file, new Uint8Array(buf));
    const rows = await readParquetRows(file);
    expect(rows[2]).toMatchObject({ value: { instruction: "question 2" }, file, line: 3 });
    expect(await resolveSplitFiles({ repo: "x/y", localPath: dir, cacheDir: dir }, "train")).toEqual([file]);
    const uf = new UltraFeedbackComparisonBuilder({ localPath: dir }, 2);
    const { train, test } = await uf.getTrainAndTestDatasets();
    expect(train.length).toBe(4);
    expect(test.toArray().map((r) => r.value.instruction)).toEqual(
      permutation(0, n)
        .slice(0, 2)
        .map((i) => `question ${i}`),
    );
  });
  it("unknown file types are rejected with the path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-"));
    const f = join(dir, "train.csv");
    writeFileSync(f, "a,b\n");
    await expect(
      resolveSplitFiles({ repo: "x/y", localPath: f }, "train").then((fs) =>
        import("./files.js").then((m) => m.readRows(fs[0] as string)),
      ),
    ).rejects.toThrow(DataFormatError);
  });
});
