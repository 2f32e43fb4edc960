// Benchmark data through @crucible/hub: a local folder, the HF cache (the snapshot refs/main names, Parquet or
// JSONL) and the hub (downloaded into the cache), in that order; offline and uncached is a BenchmarkDataError
// naming the fetch command.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub } from "@crucible/hub";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BenchmarkDataError, loadBenchmark, loadBenchmarkTask } from "../index.js";

const REV = "1111111111111111111111111111111111111111";
const OLD = "0000000000000000000000000000000000000000";
const saved = { ...process.env };
let root: string;
let cache: string;
let hub: LocalHub;

const gsm8kParquet = (questions: string[], answers: string[]) =>
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "question", data: questions, type: "STRING" },
        { name: "answer", data: answers, type: "STRING" },
      ],
    }),
  );

/** `datasets--org--name/snapshots/<rev>/<path>` for each file, and refs/main → `main`. */
function cacheDataset(
  repo: string,
  snapshots: Record<string, Record<string, string | Uint8Array>>,
  main: string,
) {
  const folder = join(cache, `datasets--${repo.replace("/", "--")}`);
  for (const [rev, files] of Object.entries(snapshots))
    for (const [path, data] of Object.entries(files)) {
      const file = join(folder, "snapshots", rev, path);
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, data);
    }
  mkdirSync(join(folder, "refs"), { recursive: true });
  writeFileSync(join(folder, "refs", "main"), main);
}

const mmluRow = (q: string, answer: number) =>
  JSON.stringify({ question: q, subject: "math", choices: ["1", "2", "3", "4"], answer });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "eval-bench-rows-"));
  cache = join(root, "hub");
  hub = await LocalHub.start();
  process.env["HF_HUB_CACHE"] = cache;
  process.env["HF_ENDPOINT"] = hub.url;
  process.env["HF_HUB_OFFLINE"] = "1";
  // Two snapshots: refs/main names the newer one; the other must not be read.
  cacheDataset(
    "openai/gsm8k",
    {
      [OLD]: { "main/test-00000-of-00001.parquet": gsm8kParquet(["stale?"], ["#### 0"]) },
      [REV]: {
        "main/test-00000-of-00001.parquet": gsm8kParquet(
          ["What is 2 + 3?", "What is 4 + 4?", "What is 1 + 1?"],
          ["2 + 3 = 5\n#### 5", "#### 8", "#### 2"],
        ),
        "socratic/test-00000-of-00001.parquet": gsm8kParquet(["other config"], ["#### 9"]),
      },
    },
    REV,
  );
  cacheDataset(
    "cais/mmlu",
    { [REV]: { "all/test-00000-of-00001.jsonl": `${mmluRow("1 + 1?", 1)}\n${mmluRow("2 + 2?", 3)}\n` } },
    REV,
  );
  hub.commit("dataset", "allenai/ai2_arc", {
    "ARC-Challenge/test-00000-of-00001.jsonl": `${JSON.stringify({
      id: "arc-1",
      question: "Which is a gas?",
      choices: { text: ["rock", "steam", "ice"], label: ["A", "B", "C"] },
      answerKey: "B",
    })}\n`,
  });
});

afterAll(async () => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
  await hub.close();
});

describe("benchmark datasets through @crucible/hub", () => {
  it("gsm8k from a cached Parquet snapshot: refs/main's snapshot and the task's config only", async () => {
    const t = await loadBenchmarkTask("gsm8k");
    expect(t.dataset.map((s) => s.target)).toEqual(["5", "8", "2"]);
    expect(String(t.dataset[0]!.input)).toContain("What is 2 + 3?");
    expect((await loadBenchmarkTask("gsm8k", { limit: 2 })).dataset).toHaveLength(2);
  });

  it("the env-protocol benchmark loader (math_rl's eval_benchmark) reads the same cache", async () => {
    const p = await loadBenchmark("gsm8k", { grader: (a, b) => a === b, limit: 2 });
    expect(p.map((x) => x.reference)).toEqual(["5", "8"]);
  });

  it("mmlu from a cached JSONL snapshot", async () => {
    const t = await loadBenchmarkTask("mmlu");
    expect(t.dataset.map((s) => s.target)).toEqual(["B", "D"]);
  });

  it("a local folder laid out like the hub repo is read before the cache", async () => {
    const dir = join(root, "mmlu-local");
    mkdirSync(join(dir, "all"), { recursive: true });
    writeFileSync(join(dir, "all", "test-00000-of-00001.jsonl"), `${mmluRow("local?", 0)}\n`);
    const t = await loadBenchmarkTask("mmlu", { dataDir: dir });
    expect(t.dataset.map((s) => [s.input, s.target])).toEqual([["local?", "A"]]);
    await expect(loadBenchmarkTask("mmlu", { dataDir: join(root, "nowhere") })).rejects.toThrow(
      /mmlu: dataDir .*nowhere does not exist/,
    );
  });

  it("not cached and offline: a BenchmarkDataError naming the fetch command", async () => {
    const err = await loadBenchmarkTask("arc_challenge").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchmarkDataError);
    expect(String(err)).toContain("crucible download dataset allenai/ai2_arc");
  });

  it("not cached and online: downloaded from the hub into the HF cache, then read from there", async () => {
    process.env["HF_HUB_OFFLINE"] = "";
    try {
      const t = await loadBenchmarkTask("arc_challenge");
      expect(t.dataset.map((s) => [s.id, s.target])).toEqual([["arc-1", "B"]]);
    } finally {
      process.env["HF_HUB_OFFLINE"] = "1";
    }
    // Offline again, the cached copy serves it.
    expect((await loadBenchmarkTask("arc_challenge")).dataset).toHaveLength(1);
  });
});
