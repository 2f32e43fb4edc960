// Math benchmarks as tasks: GSM8K (openai/gsm8k main/test; the reference is the number after "####", scored by
// numeric match of the last number, as Inspect's gsm8k) and MATH-500 (HuggingFaceH4/MATH-500 test; the boxed
// answer, equivalence through @crucible/grading), plus held-out arithmetic for tiny models.
import { ARITHMETIC_FEWSHOT } from "@crucible/env";
import { extractGsm8kFinalAnswer } from "@crucible/grading";
import { arithmeticHeldOutProblems } from "../benchmarks/problems.js";
import { accuracy, stderr } from "../inspect/metrics.js";
import { mathEquivalence } from "../inspect/model-scorers.js";
import { generate, promptTemplate } from "../inspect/solvers.js";
import { match } from "../inspect/text-scorers.js";
import type { ChatMessage, Sample, Scorer, Task } from "../inspect/types.js";
import { CORRECT, INCORRECT } from "../inspect/types.js";
import { str, type TaskLoadOptions, taskRows } from "./common.js";

export const GSM8K_TEMPLATE =
  'Solve the following math problem step by step. The last line of your response should be of the form "ANSWER: $ANSWER" (without quotes) where $ANSWER is the answer to the problem.\n\n{prompt}\n\nRemember to put your answer on its own line at the end in the form "ANSWER: $ANSWER" (without quotes) where $ANSWER is the answer to the problem, and you do not need to use a \\boxed command.';

export const MATH_TEMPLATE = "{prompt} Write your answer in \\boxed{} format.";

export async function gsm8kTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows("gsm8k", { hf: "openai/gsm8k", config: "main", split: "test" }, opts);
  // Rows without a "#### <answer>" line have no reference and are skipped (as the env's GSM8K loader does).
  const dataset: Sample[] = rows.flatMap((r, i) => {
    const solution = str("gsm8k", r, i, "answer");
    if (!solution.includes("####")) return [];
    return [
      {
        id: i,
        input: str("gsm8k", r, i, "question"),
        target: extractGsm8kFinalAnswer(solution),
        metadata: { reasoning: solution.split("####")[0]!.trim() },
      },
    ];
  });
  return {
    name: "gsm8k",
    dataset,
    datasetName: "openai/gsm8k",
    datasetLocation: opts.dataFile ?? opts.dataDir ?? "hf://openai/gsm8k/main/test",
    solver: [promptTemplate(GSM8K_TEMPLATE), generate()],
    scorer: match({ numeric: true }),
    config: { maxTokens: 1024, temperature: 0 },
  };
}

export async function math500Task(
  opts: TaskLoadOptions & { grader?: (g: string, t: string) => boolean | Promise<boolean> } = {},
): Promise<Task> {
  const rows = await taskRows("math500", { hf: "HuggingFaceH4/MATH-500", split: "test" }, opts);
  const dataset: Sample[] = rows.map((r, i) => ({
    id: typeof r["unique_id"] === "string" ? r["unique_id"] : i,
    input: str("math500", r, i, "problem"),
    target: str("math500", r, i, "answer"),
    metadata: {
      ...(r["subject"] !== undefined ? { subject: String(r["subject"]) } : {}),
      ...(r["level"] !== undefined ? { level: String(r["level"]) } : {}),
    },
  }));
  return {
    name: "math500",
    dataset,
    datasetName: "HuggingFaceH4/MATH-500",
    datasetLocation: opts.dataFile ?? opts.dataDir ?? "hf://HuggingFaceH4/MATH-500/test",
    solver: [promptTemplate(MATH_TEMPLATE), generate()],
    scorer: mathEquivalence({ extract: ["boxed"], ...(opts.grader ? { grader: opts.grader } : {}) }),
    config: { maxTokens: 2048, temperature: 0 },
  };
}

/**
 * Format: the answer starts with an integer (what the arithmetic SFT data teaches), right or wrong; text after it
 * is allowed, since a short max_tokens can cut the renderer's stop sequence midway.
 */
export function integerAnswer(): Scorer {
  return {
    name: "integer_answer",
    metrics: [accuracy(), stderr()],
    async score(state) {
      const ok = /^\s*-?\d+(?!\d)/.test(state.output.completion);
      return { value: ok ? CORRECT : INCORRECT, answer: state.output.completion };
    },
  };
}

export interface ArithmeticTaskOptions {
  /** Problems (default 30, as the demo's held-out set). */
  count?: number;
  /** Operands from [0, maxOperand) (default 20, as the demo). */
  maxOperand?: number;
  seed?: number;
  /** Prefix the "What is 4 + 5?" → "9" exchange (default true, as ArithmeticEnv). */
  fewshot?: boolean;
  maxTokens?: number;
}

/** "What is x + y?" over the demo's held-out pairs; correct iff the last number of the answer is x + y. */
export function arithmeticTask(o: ArithmeticTaskOptions = {}): Task {
  const problems = arithmeticHeldOutProblems({
    count: o.count ?? 30,
    maxOperand: o.maxOperand ?? 20,
    seed: o.seed ?? 1234, // the demo's held-out set
  });
  const prefix: ChatMessage[] =
    (o.fewshot ?? true)
      ? ARITHMETIC_FEWSHOT.map((m) => ({ role: m.role as ChatMessage["role"], content: String(m.content) }))
      : [];
  return {
    name: "arithmetic",
    dataset: problems.map((p) => ({
      id: p.id,
      input: [...prefix, { role: "user", content: p.question }],
      target: p.reference,
    })),
    datasetName: "arithmetic-held-out",
    solver: [generate()],
    scorer: [match({ numeric: true }), integerAnswer()],
    config: { maxTokens: o.maxTokens ?? 10, temperature: 0 },
  };
}
