// Code benchmarks as tasks: HumanEval (openai/openai_humaneval test) and MBPP (google-research-datasets/mbpp full
// test). The model's code (the first ```python block, else the whole answer) runs with the benchmark's tests in
// @crucible/grading's sandbox; a sample passes when the tests exit cleanly within the limits.
import { runPythonTests, type SandboxLimits } from "@crucible/grading";
import { defaultMetrics } from "../inspect/metrics.js";
import { generate, promptTemplate } from "../inspect/solvers.js";
import type { Sample, Scorer, Task } from "../inspect/types.js";
import { CORRECT, INCORRECT } from "../inspect/types.js";
import { str, strList, type TaskLoadOptions, taskRows } from "./common.js";

/** The first fenced code block (```python or plain ```), else the text itself. */
export function extractCode(text: string): string {
  const m = /```(?:python|py|Python)?[ \t]*\n([\s\S]*?)```/.exec(text);
  return m ? m[1]! : text;
}

export interface CodeScorerOptions {
  limits?: Partial<SandboxLimits>;
  /** Program = before + code (e.g. HumanEval's prompt); tests run after it. Read from sample metadata. */
  programPrefixKey?: string;
  testsKey: string;
}

/** Runs `metadata[programPrefixKey] + code` and then `metadata[testsKey]` in the sandbox. */
export function codeExecution(o: CodeScorerOptions): Scorer {
  const limits = { cpuSeconds: 5, wallMs: 15_000, ...o.limits };
  return {
    name: "code_execution",
    params: { limits },
    metrics: defaultMetrics(),
    async score(state) {
      const meta = state.sample.metadata ?? {};
      const code = extractCode(state.output.completion);
      const prefix = o.programPrefixKey ? String(meta[o.programPrefixKey] ?? "") : "";
      const run = await runPythonTests(
        `${prefix}${prefix ? "\n" : ""}${code}`,
        String(meta[o.testsKey] ?? ""),
        { limits },
      );
      return {
        value: run.passed ? CORRECT : INCORRECT,
        answer: code,
        explanation: run.passed ? "tests passed" : `${run.status}${run.detail ? `: ${run.detail}` : ""}`,
        metadata: { status: run.status, wall_ms: Math.round(run.wallMs) },
      };
    },
  };
}

export type CodeTaskOptions = TaskLoadOptions & { limits?: Partial<SandboxLimits> };

/** A code benchmark: prompt template → one greedy generation → the sample's `tests` run after its program prefix. */
function codeTask(
  opts: CodeTaskOptions,
  t: {
    name: string;
    datasetName: string;
    /** Where the rows come from when no local file or folder was given. */
    hfLocation: string;
    template: string;
    dataset: Sample[];
    programPrefixKey: string;
  },
): Task {
  return {
    name: t.name,
    dataset: t.dataset,
    datasetName: t.datasetName,
    datasetLocation: opts.dataFile ?? opts.dataDir ?? t.hfLocation,
    solver: [promptTemplate(t.template), generate()],
    scorer: codeExecution({
      programPrefixKey: t.programPrefixKey,
      testsKey: "tests",
      ...(opts.limits ? { limits: opts.limits } : {}),
    }),
    config: { maxTokens: 1024, temperature: 0 },
  };
}

export const HUMANEVAL_TEMPLATE =
  "Read the following function signature and docstring, and fully implement the function described. Your response should only contain the code for this function.\n\n{prompt}";

export async function humanevalTask(opts: CodeTaskOptions = {}): Promise<Task> {
  const rows = await taskRows("humaneval", { hf: "openai/openai_humaneval", split: "test" }, opts);
  const dataset: Sample[] = rows.map((r, i) => {
    const prompt = str("humaneval", r, i, "prompt");
    const entry = str("humaneval", r, i, "entry_point");
    return {
      id: str("humaneval", r, i, "task_id"),
      input: prompt,
      target: str("humaneval", r, i, "canonical_solution"),
      metadata: {
        prompt,
        tests: `${str("humaneval", r, i, "test")}\n\ncheck(${entry})\n`,
        entry_point: entry,
      },
    };
  });
  return codeTask(opts, {
    name: "humaneval",
    datasetName: "openai/openai_humaneval",
    hfLocation: "hf://openai/openai_humaneval/test",
    template: HUMANEVAL_TEMPLATE,
    dataset,
    programPrefixKey: "prompt",
  });
}

export const MBPP_TEMPLATE =
  "You are an expert Python programmer, and here is your task: {prompt} Your code should pass these tests:\n\n{tests}\n\nWrite the code in a ```python block.";

export async function mbppTask(opts: CodeTaskOptions = {}): Promise<Task> {
  const rows = await taskRows(
    "mbpp",
    { hf: "google-research-datasets/mbpp", config: "full", split: "test" },
    opts,
  );
  const dataset: Sample[] = rows.map((r, i) => {
    const tests = strList("mbpp", r, i, "test_list").join("\n");
    const setup = typeof r["test_setup_code"] === "string" ? r["test_setup_code"] : "";
    return {
      id: typeof r["task_id"] === "number" || typeof r["task_id"] === "string" ? r["task_id"] : i,
      input: str("mbpp", r, i, "text"),
      target: str("mbpp", r, i, "code"),
      metadata: { tests, setup, shown_tests: tests },
    };
  });
  return codeTask(opts, {
    name: "mbpp",
    datasetName: "google-research-datasets/mbpp",
    hfLocation: "hf://google-research-datasets/mbpp/full/test",
    template: MBPP_TEMPLATE,
    dataset,
    programPrefixKey: "setup",
  });
}
