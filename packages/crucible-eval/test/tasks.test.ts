// Every benchmark task on its fixture rows (in each dataset's field layout): its own solver chain and scorer give
// the reference answer full score and a wrong answer zero. The "model" here returns a fixed text: what is under
// test is the prompt building, answer parsing and scoring, not a model.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gradeAnswer } from "@crucible/grading";
import { describe, expect, it } from "vitest";
import {
  BENCHMARK_TASK_NAMES,
  BenchmarkDataError,
  type BenchmarkTaskName,
  loadBenchmarkTask,
  math500Task,
} from "../src/index.js";
import type { ChatModel } from "../src/inspect/model.js";
import { runSample } from "../src/inspect/run-sample.js";
import type { Task } from "../src/inspect/types.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/tasks/${name}.jsonl`, import.meta.url));
const rows = (name: string) =>
  readFileSync(fixture(name), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function fixed(text: (prompt: string) => string): ChatModel & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    name: "fixed",
    prompts,
    async generate(messages) {
      const prompt = messages.map((m) => m.content).join("\n");
      prompts.push(prompt);
      const completion = text(prompt);
      return { model: "fixed", completion, stopReason: "stop", inputTokens: 0, outputTokens: 1, time: 0 };
    },
  };
}

async function scoreAll(task: Task, answer: (i: number, prompt: string) => string): Promise<number[]> {
  const out: number[] = [];
  for (const [i, sample] of task.dataset.entries()) {
    const rec = await runSample({
      sample,
      epoch: 1,
      model: fixed((p) => answer(i, p)),
      solvers: task.solver,
      scorers: Array.isArray(task.scorer) ? task.scorer : [task.scorer as Task["scorer"] & object],
      config: {},
      retries: 0,
    });
    expect(rec.error ?? null).toBeNull();
    const v = Object.values(rec.scores!)[0]!.value;
    out.push(v === "C" ? 1 : v === "I" ? 0 : Number(v));
  }
  return out;
}

const other = (letter: string) => (letter === "A" ? "B" : "A");

describe("benchmark tasks on fixture rows", () => {
  it("registry lists the nine benchmarks and the arithmetic task", () => {
    expect(BENCHMARK_TASK_NAMES).toEqual([
      "arithmetic",
      "gsm8k",
      "math500",
      "mmlu",
      "gpqa_diamond",
      "arc_challenge",
      "hellaswag",
      "ifeval",
      "humaneval",
      "mbpp",
    ]);
  });

  it("gsm8k: the published solution scores 1, an off-by-one 0", async () => {
    const t = await loadBenchmarkTask("gsm8k", { dataFile: fixture("gsm8k") });
    expect(t.dataset.map((s) => s.target)).toEqual(["18", "3"]);
    const r = rows("gsm8k");
    expect(await scoreAll(t, (i) => String(r[i]!["answer"]))).toEqual([1, 1]);
    expect(await scoreAll(t, (i) => `ANSWER: ${Number(t.dataset[i]!.target) + 1}`)).toEqual([0, 0]);
  });

  it("math500: the reference solution's boxed answer scores 1, a wrong box 0", async () => {
    const file = fileURLToPath(new URL("./fixtures/math500-mini.jsonl", import.meta.url));
    const t = await math500Task({ dataFile: file, grader: gradeAnswer });
    const r = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(await scoreAll(t, (i) => r[i]!["solution"]!)).toEqual(r.map(() => 1));
    expect(await scoreAll(t, () => "\\boxed{123457}")).toEqual(r.map(() => 0));
  });

  for (const name of ["mmlu", "gpqa_diamond", "arc_challenge", "hellaswag"] as BenchmarkTaskName[]) {
    it(`${name}: the reference letter scores 1, another letter 0`, async () => {
      const t = await loadBenchmarkTask(name, { dataFile: fixture(name) });
      const seen: string[] = [];
      expect(
        await scoreAll(t, (i, prompt) => {
          seen.push(prompt);
          return `Let me think.\nANSWER: ${t.dataset[i]!.target}`;
        }),
      ).toEqual([1, 1]);
      expect(seen[0]).toMatch(/A\) .*\nB\) .*\nC\) .*\nD\) /);
      expect(await scoreAll(t, (i) => `ANSWER: ${other(t.dataset[i]!.target as string)}`)).toEqual([0, 0]);
    });
  }

  it("choice targets come from each dataset's answer field", async () => {
    expect(
      (await loadBenchmarkTask("mmlu", { dataFile: fixture("mmlu") })).dataset.map((s) => s.target),
    ).toEqual(["B", "C"]);
    expect(
      (await loadBenchmarkTask("arc_challenge", { dataFile: fixture("arc_challenge") })).dataset.map(
        (s) => s.target,
      ),
    ).toEqual(["C", "B"]);
    expect(
      (await loadBenchmarkTask("hellaswag", { dataFile: fixture("hellaswag") })).dataset.map((s) => s.target),
    ).toEqual(["D", "D"]);
    const g = await loadBenchmarkTask("gpqa_diamond", { dataFile: fixture("gpqa_diamond") });
    for (const [i, s] of g.dataset.entries())
      expect(s.choices![(s.target as string).charCodeAt(0) - 65]).toBe(
        rows("gpqa_diamond")[i]!["Correct Answer"],
      );
  });

  it("humaneval: the canonical solution passes in the sandbox, a wrong body fails", async () => {
    const t = await loadBenchmarkTask("humaneval", { dataFile: fixture("humaneval") });
    const r = rows("humaneval");
    expect(await scoreAll(t, (i) => String(r[i]!["canonical_solution"]))).toEqual([1, 1]);
    expect(await scoreAll(t, () => "```python\n    return None\n```")).toEqual([0, 0]);
  });

  it("mbpp: the reference code passes in the sandbox, a wrong function fails", async () => {
    const t = await loadBenchmarkTask("mbpp", { dataFile: fixture("mbpp") });
    const r = rows("mbpp");
    expect(await scoreAll(t, (i) => `Here it is:\n\`\`\`python\n${String(r[i]!["code"])}\n\`\`\``)).toEqual([
      1, 1,
    ]);
    expect(
      await scoreAll(
        t,
        () => "```python\ndef remove_Occ(s, ch):\n    return s\ndef sort_matrix(m):\n    return m\n```",
      ),
    ).toEqual([0, 0]);
  });

  it("ifeval: a compliant answer scores 1, a violating one 0", async () => {
    const t = await loadBenchmarkTask("ifeval", { dataFile: fixture("ifeval") });
    const words = Array.from({ length: 320 }, (_, i) => `word${i % 17}`).join(" ");
    const good = [
      `*Early life*\n${words}\n*Regency*\nMore text here\n*Legacy*\nThe end.`,
      "Thou shalt see Kyoto and then Nara.",
    ];
    expect(await scoreAll(t, (i) => good[i]!)).toEqual([1, 1]);
    expect(await scoreAll(t, (i) => good[i]!.replace(/ /, ", "))).toEqual([0, 0]);
  });

  it("missing data is a typed error naming the benchmark and the fix", async () => {
    await expect(loadBenchmarkTask("mmlu", { dataFile: "/nonexistent/mmlu.jsonl" })).rejects.toThrow(
      BenchmarkDataError,
    );
    await expect(loadBenchmarkTask("mmlu", { dataFile: fixture("gsm8k") })).rejects.toThrow(
      /mmlu: row 0 has no text field 'choices'|choices/,
    );
  });
});
