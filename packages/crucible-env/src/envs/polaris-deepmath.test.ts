import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import type { MathEnv } from "./math.js";
import { shuffleRows } from "./math.js";
import {
  DEEPMATH,
  deepmathDatasetBuilder,
  hfTrainSource,
  MissingDatasetError,
  POLARIS,
  polarisDatasetBuilder,
  trainOnlyRowToProblem,
} from "./polaris-deepmath.js";

const renderer = getRenderer("role_colon", getTokenizerSync("Qwen/Qwen3-8B"));
const hub = fileURLToPath(new URL("../../fixtures/hf-hub", import.meta.url));
const exact = (given: string, truth: string) => given.trim() === truth.trim();

async function firstEnvs(ds: { getBatch(i: number): { makeEnvs(): Promise<unknown[]> }[] }, i: number) {
  return (await Promise.all(ds.getBatch(i).map((b) => b.makeEnvs()))).map((e) => e[0] as MathEnv);
}

/** A DeepMath-shaped HF cache snapshot (`data/train-*.parquet`) in a temp dir. */
function deepmathCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "crucible-deepmath-"));
  const snap = join(dir, "datasets--zwhe99--DeepMath-103K", "snapshots", "abc", "data");
  mkdirSync(snap, { recursive: true });
  const rows = [
    ["Evaluate $\\lim_{x\\to 0} \\frac{\\sin x}{x}$.", "1", 3.5, "Calculus"],
    ["Find the determinant of the 2x2 identity matrix.", "1", 2, "Linear Algebra"],
    ["", "5", 1, "Empty question"],
    ["Is 91 prime? Answer yes or no.", "no", 1.5, "Number Theory"],
  ] as const;
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "question", data: rows.map((r) => r[0]), type: "STRING" },
      { name: "final_answer", data: rows.map((r) => r[1]), type: "STRING" },
      { name: "difficulty", data: rows.map((r) => r[2]), type: "DOUBLE" },
      { name: "topic", data: rows.map((r) => r[3]), type: "STRING" },
    ],
  });
  writeFileSync(join(snap, "train-00000-of-00001.parquet"), new Uint8Array(buf));
  return dir;
}

describe("polaris / deepmath field mapping (cookbook math_env.py)", () => {
  it("maps problem/answer and question/final_answer; empty fields skip the row", () => {
    expect(trainOnlyRowToProblem(POLARIS, { problem: "p", answer: "3" })).toEqual({
      problem: "p",
      answer: "3",
    });
    expect(trainOnlyRowToProblem(POLARIS, { problem: "p", answer: "" })).toBeNull();
    expect(trainOnlyRowToProblem(POLARIS, { question: "p", final_answer: "3" })).toBeNull();
    expect(trainOnlyRowToProblem(DEEPMATH, { question: "q", final_answer: "x^2" })).toEqual({
      problem: "q",
      answer: "x^2",
    });
    expect(trainOnlyRowToProblem(DEEPMATH, { question: "q" })).toBeNull();
  });

  it("polaris from the HF cache (a single-split repo whose file is not named train-*)", async () => {
    const src = hfTrainSource(POLARIS, hub);
    expect("files" in src && src.files.map((f) => f.split("/").at(-1))).toEqual(["polaris-53k.jsonl"]);
    const { train, test } = await polarisDatasetBuilder(src, {
      renderer,
      grader: exact,
      batchSize: 3,
      groupSize: 2,
      seed: 0,
    })();
    expect(test).toBeNull();
    expect(train.length).toBe(2); // ceil(5 rows / 3), counted before skipping
    const envs = [...(await firstEnvs(train, 0)), ...(await firstEnvs(train, 1))];
    // whole split shuffled first, the empty-answer row dropped at batch time
    const order = shuffleRows(["2", "\\frac{5}{6}", "", "8", "7"], 0).filter((a) => a !== "");
    expect(envs.map((e) => e.answer)).toEqual(order);
    expect(train.getBatch(0).length + train.getBatch(1).length).toBe(4);
    expect(train.getBatch(0)[0]!.loggingTags?.()).toEqual(["polaris"]);
    // no few-shot prefix; MathEnv's boxed instruction
    const e = envs[0]!;
    expect(e.convoPrefix).toEqual([]);
    expect(e.getQuestion().endsWith(" Write your answer in \\boxed{} format.")).toBe(true);
  });

  it("deepmath from a parquet HF cache snapshot, graded on the boxed answer", async () => {
    const cache = deepmathCache();
    const { train } = await deepmathDatasetBuilder(hfTrainSource(DEEPMATH, cache), {
      renderer,
      grader: exact,
      batchSize: 4,
      groupSize: 1,
      seed: 3,
    })();
    expect(train.length).toBe(1);
    const envs = await firstEnvs(train, 0);
    expect(envs.map((e) => e.answer).sort()).toEqual(["1", "1", "no"]);
    expect(train.getBatch(0)[0]!.loggingTags?.()).toEqual(["deepmath"]);
    const limit = envs.find((e) => e.problem.startsWith("Evaluate"))!;
    const tok = getTokenizerSync("Qwen/Qwen3-8B");
    const reply = [...tok.encode(" \\boxed{1}"), ...tok.encode("\n\nUser:")];
    expect((await limit.step(reply)).metrics).toEqual({ format: 1, correct: 1 });
  });

  it("no local copy: a MissingDatasetError naming the dataset, the path looked in and the fix", () => {
    const empty = mkdtempSync(join(tmpdir(), "crucible-nohub-"));
    let err: unknown;
    try {
      hfTrainSource(DEEPMATH, empty);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingDatasetError);
    const m = err as MissingDatasetError;
    expect(m.dataset).toBe("zwhe99/DeepMath-103K");
    expect(m.expectedPath).toBe(join(empty, "datasets--zwhe99--DeepMath-103K", "snapshots"));
    expect(m.message).toMatch(
      /data_dir=<dir with train\*\.jsonl or train\*\.parquet holding fields question\/final_answer>/,
    );
  });
});
