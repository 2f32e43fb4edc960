import { fileURLToPath } from "node:url";
import { closeGradingWorker } from "@crucible/grading";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { afterAll, describe, expect, it } from "vitest";
import { findHfCachedFiles, loadRows } from "../data/rows.js";
import { permutation } from "../random/index.js";
import { gsm8kDatasetBuilder, MathEnv, mathDatasetBuilder, shuffleRows } from "./math.js";
import { PromptOnlyDataset, type PromptOnlyEnv } from "./prompt-only.js";

const tok = getTokenizerSync("Qwen/Qwen3-8B");
const renderer = getRenderer("role_colon", tok);
const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const exact = (given: string, truth: string) => given.trim() === truth.trim();
const stop = (s: string) => [...tok.encode(s), ...tok.encode("\n\nUser:")];

describe("MathEnv", () => {
  const env = () => new MathEnv("What is 2+2?", "4", renderer, { grader: exact, convoPrefix: null });
  it("boxed answer, stop sequence → reward 1", async () => {
    expect((await env().step(stop(" so \\boxed{4}"))).reward).toBe(1);
  });
  it("no box → format 0, wrong → −0.1", async () => {
    const r = await env().step(stop(" 4"));
    expect(r.metrics).toEqual({ format: 0, correct: 0 });
    expect(r.reward).toBeCloseTo(-0.1, 12);
  });
  it("unmatched brace counts as no box rather than throwing", async () => {
    expect((await env().step(stop(" } \\boxed{4}"))).metrics).toEqual({ format: 0, correct: 0 });
  });
  it("EOS termination: strict format 0 (reward 0.9), lenient 1 (reward 1.0)", async () => {
    const toks = [...tok.encode(" \\boxed{4}"), tok.eosTokenId as number];
    const strict = new MathEnv("q", "4", renderer, { grader: exact, convoPrefix: null });
    const lenient = new MathEnv("q", "4", renderer, {
      grader: exact,
      convoPrefix: null,
      requireStopSequenceForFormat: false,
    });
    expect((await strict.step(toks)).reward).toBeCloseTo(0.9, 12);
    expect((await lenient.step(toks)).reward).toBe(1);
  });
  it("question carries the \\boxed{} instruction", () => {
    expect(env().getQuestion()).toBe("What is 2+2? Write your answer in \\boxed{} format.");
  });
});

describe("math / gsm8k datasets from local files and the HF cache", () => {
  it("MATH rows: answers from \\boxed, test problems excluded, shuffled with seed", async () => {
    const { train, test } = await mathDatasetBuilder(
      { train: { files: [fx("math-mini.jsonl")] }, test: { files: [fx("math500-mini.jsonl")] } },
      { renderer, grader: exact, batchSize: 2, groupSize: 3, seed: 0 },
    )();
    // 6 rows, one without a box, one in the test set → 4 train problems
    expect(train.length).toBe(2);
    const envs = (
      await Promise.all(
        train
          .getBatch(0)
          .concat(train.getBatch(1))
          .map((b) => b.makeEnvs()),
      )
    ).map((e) => e[0] as MathEnv);
    const expected = shuffleRows(["\\frac{3}{4}", "5", "6", "56"], 0);
    expect(envs.map((e) => e.answer)).toEqual(expected);
    expect(permutation(0, 4)).toHaveLength(4);
    expect(test?.length).toBe(1);
    expect((await test!.getBatch(0)[0]!.makeEnvs()).length).toBe(1);
  });
  it("GSM8K from the HF cache layout (parquet test split, jsonl train split)", async () => {
    const cacheDir = fx("hf-hub");
    expect(
      findHfCachedFiles({ repoId: "openai/gsm8k", config: "main", split: "test", cacheDir }),
    ).toHaveLength(1);
    const rows = await loadRows({ hf: "openai/gsm8k", config: "main", split: "test", cacheDir });
    expect(rows.map((r) => r.question)).toHaveLength(2);
    const { train, test } = await gsm8kDatasetBuilder(
      {
        train: { hf: "openai/gsm8k", config: "main", split: "train", cacheDir },
        test: { hf: "openai/gsm8k", config: "main", split: "test", cacheDir },
      },
      { renderer, grader: exact, batchSize: 10, groupSize: 2 },
    )();
    const answers = (await Promise.all(train.getBatch(0).map((b) => b.makeEnvs()))).map(
      (e) => (e[0] as MathEnv).answer,
    );
    expect(answers.sort()).toEqual(["12", "1234", "20", "9"]); // the row without #### is skipped
    const t = (await test!.getBatch(0)[0]!.makeEnvs())[0] as MathEnv;
    expect(t.answer).toBe("12");
    expect(t.getQuestion().endsWith(" Write your answer in \\boxed{} format.")).toBe(true);
  });
  it("missing HF dataset gives a clear error", () => {
    expect(() =>
      findHfCachedFiles({ repoId: "nobody/nothing", split: "train", cacheDir: fx("hf-hub") }),
    ).toThrow(/not in the HF cache/);
  });
});

describe("PromptOnlyDataset", () => {
  it("unshuffled batches, reward 0, truncation by tokens", async () => {
    const ds = new PromptOnlyDataset({
      prompts: ["a b c d e f g", "hello", "third"],
      renderer,
      groupsPerBatch: 2,
      groupSize: 3,
      maxPromptTokens: 3,
      tokenizer: tok,
    });
    expect(ds.length).toBe(2);
    const [b0] = ds.getBatch(0);
    const envs = (await b0!.makeEnvs()) as PromptOnlyEnv[];
    expect(envs).toHaveLength(3);
    expect(envs[0]!.prompt).toBe("a b c");
    const r = await envs[0]!.step();
    expect(r.reward).toBe(0);
    expect(r.metrics).toEqual({});
    expect(ds.getBatch(1)).toHaveLength(1);
  });
});

describe("MathEnv default grader (@crucible/grading safeGrade)", () => {
  afterAll(() => closeGradingWorker());
  it("a pathological answer hits the time limit and grades wrong instead of hanging", {
    timeout: 120_000,
  }, async () => {
    const env = (ms: number) => new MathEnv("q", "1", renderer, { convoPrefix: null, gradeTimeoutMs: ms });
    // Warm the grading worker (mathjs load) so the short limit below is charged to grading only.
    expect(await env(60_000).checkAnswer("\\boxed{1}")).toBe(true);
    // 2 MB of `\!` that the normaliser strips: the right answer, but far more than 20 ms of work.
    const slow = `\\boxed{1${"\\!".repeat(1_000_000)}}`;
    const t0 = performance.now();
    expect(await env(20).checkAnswer(slow)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(30_000); // not a hang (includes moving 2 MB to the worker)
    // Control: with time to finish the same text grades correct, so the false above came from the limit.
    expect(await env(60_000).checkAnswer(slow)).toBe(true);
    // A throwing custom grader grades wrong.
    const bad = new MathEnv("q", "1", renderer, {
      convoPrefix: null,
      grader: () => {
        throw new Error("boom");
      },
    });
    expect(await bad.checkAnswer("\\boxed{1}")).toBe(false);
  });

  it("grades equivalent answers as correct", async () => {
    const env = new MathEnv("What is 1/2?", "0.5", renderer, { convoPrefix: null });
    expect((await env.step(stop(" \\boxed{\\frac{1}{2}}"))).metrics).toEqual({ format: 1, correct: 1 });
    const env2 = new MathEnv("What is 1/2?", "0.5", renderer, { convoPrefix: null });
    expect((await env2.step(stop(" \\boxed{3}"))).metrics).toEqual({ format: 1, correct: 0 });
  });
});
