// MATH-500 from local files (JSONL and Parquet with the HuggingFaceH4/MATH-500 fields), graded with
// @crucible/grading, run through the real local backend: result.json + trajectories.jsonl, per-subject/level
// breakdown, resume by content hash. A tiny random model scores ~0; the pipeline is what is checked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gradeAnswer } from "@crucible/grading";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { BenchmarkDataError, loadBenchmark, readTrajectories, runBenchmark } from "../src/index.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/math500-mini.jsonl", import.meta.url));
const tok = getTokenizerSync("Qwen/Qwen3-8B");
const renderer = getRenderer("role_colon", tok);
const rows = readFileSync(FIXTURE, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Record<string, string | number>);

describe("math500 problems from local files", () => {
  it("JSONL: unique_id ids, answer column as reference, subject/level attributes, standard few-shot", async () => {
    const ps = await loadBenchmark("math500", { dataFile: FIXTURE, grader: gradeAnswer });
    expect(ps.map((p) => p.id)).toEqual(rows.map((r) => r["unique_id"]));
    expect(ps.map((p) => p.reference)).toEqual(["\\frac{3}{4}", "4", "6", "7", "25"]);
    expect(ps[2]!.meta).toEqual({ subject: "Number Theory", level: "2" });
    const env = ps[0]!.makeEnv(renderer);
    expect(env.getQuestion()).toBe(`${rows[0]!["problem"]} Write your answer in \\boxed{} format.`);
    expect(env.convoPrefix[0]!.content).toMatch(/strawberry/);
    expect(
      (await loadBenchmark("math500", { dataFile: FIXTURE, grader: gradeAnswer, limit: 2 })).length,
    ).toBe(2);
  });

  it("Parquet with the same rows gives the same problems", async () => {
    const cols = ["problem", "solution", "answer", "subject", "unique_id"] as const;
    const buf = parquetWriteBuffer({
      columnData: [
        ...cols.map((c) => ({ name: c, data: rows.map((r) => String(r[c])), type: "STRING" as const })),
        { name: "level", data: rows.map((r) => Number(r["level"])), type: "INT32" as const },
      ],
    });
    const file = join(mkdtempSync(join(tmpdir(), "crucible-math500-")), "test-00000-of-00001.parquet");
    writeFileSync(file, new Uint8Array(buf));
    const fromParquet = await loadBenchmark("math500", { dataFile: file, grader: gradeAnswer });
    const fromJsonl = await loadBenchmark("math500", { dataFile: FIXTURE, grader: gradeAnswer });
    const view = (ps: typeof fromJsonl) => ps.map((p) => [p.id, p.question, p.reference, p.meta]);
    expect(view(fromParquet)).toEqual(view(fromJsonl));
  });

  it("grades with @crucible/grading: an equivalent boxed answer is correct", async () => {
    const [p] = await loadBenchmark("math500", { dataFile: FIXTURE, grader: gradeAnswer });
    const reply = (s: string) => [...tok.encode(s), ...tok.encode("\n\nUser:")];
    expect((await p!.makeEnv(renderer).step(reply(" so \\boxed{0.75}"))).metrics).toEqual({
      format: 1,
      correct: 1,
    });
    expect((await p!.makeEnv(renderer).step(reply(" \\boxed{3/5}"))).metrics).toEqual({
      format: 1,
      correct: 0,
    });
  });

  it("a missing file is a BenchmarkDataError naming the benchmark", async () => {
    await expect(
      loadBenchmark("math500", { dataFile: "/no/such.jsonl", grader: gradeAnswer }),
    ).rejects.toThrow(BenchmarkDataError);
    await expect(
      loadBenchmark("math500", { dataFile: "/no/such.jsonl", grader: gradeAnswer }),
    ).rejects.toThrow(/^math500: no local data: dataset file not found: \/no\/such.jsonl/);
  });
});

describe("math500 through the local backend", () => {
  it("writes result.json and trajectories.jsonl with a breakdown, and resumes by content hash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crucible-math500-run-"));
    const backend = await createLocalBackend({ checkpointDir: join(dir, "store") });
    const service = new ServiceClient({ ...backend.clientOptions, apiKey: "tml-local" });
    try {
      const problems = await loadBenchmark("math500", { dataFile: FIXTURE, grader: gradeAnswer });
      const samplingClient = await service.createSamplingClient({ baseModel: "crucible/tiny-qwen3" });
      const opts = {
        name: "math500",
        problems,
        samplingClient,
        renderer,
        rendererName: "role_colon",
        modelId: "crucible/tiny-qwen3",
        outDir: join(dir, "out"),
        maxTokens: 6,
        concurrency: 2,
        decode: (t: number[]) => tok.decode(t),
      };
      const r = await runBenchmark(opts);
      expect(r).toMatchObject({ benchmark: "math500", num_problems: 5, num_samples: 1, newly_evaluated: 5 });
      const trajs = readTrajectories(opts.outDir, "math500");
      expect(trajs.map((t) => t.problem_id).sort()).toEqual(problems.map((p) => p.id).sort());
      expect(trajs.find((t) => t.problem_id === "test/geometry/9005.json")).toMatchObject({
        reference: "25",
        meta: { subject: "Geometry", level: "1" },
      });
      for (const t of trajs) {
        const s = t.samples[0]!;
        expect(s.num_tokens).toBeGreaterThan(0);
        expect(s.num_tokens).toBeLessThanOrEqual(6);
        expect(typeof s.response).toBe("string");
        expect([0, 1]).toContain(s.correct);
      }
      // result.json holds exactly what the trajectories say
      const stored = JSON.parse(readFileSync(join(opts.outDir, "math500", "result.json"), "utf8"));
      const correct = trajs.map((t) => t.samples[0]!.correct);
      expect(stored.accuracy).toBeCloseTo(correct.reduce((a, b) => a + b, 0) / 5, 12);
      expect(Object.keys(stored.breakdown.subject)).toEqual([
        "Algebra",
        "Geometry",
        "Number Theory",
        "Prealgebra",
      ]);
      expect(stored.breakdown.subject.Algebra.num_problems).toBe(2);
      expect(stored.breakdown.level["1"].num_problems).toBe(3);

      // same inputs → stored result; interrupted run (2 lines kept, no result.json) → the other 3 are redone
      expect((await runBenchmark(opts)).newly_evaluated).toBe(0);
      const file = join(opts.outDir, "math500", "trajectories.jsonl");
      writeFileSync(file, `${readFileSync(file, "utf8").split("\n").slice(0, 2).join("\n")}\n`);
      rmSync(join(opts.outDir, "math500", "result.json"));
      const resumed = await runBenchmark(opts);
      expect(resumed.newly_evaluated).toBe(3);
      expect(readTrajectories(opts.outDir, "math500")).toHaveLength(5);
      // a different setting is a different run
      expect((await runBenchmark({ ...opts, maxTokens: 5 })).newly_evaluated).toBe(5);
    } finally {
      await service.close();
      await backend.close();
    }
  }, 300_000);
});
