// Scorers that need more than string comparison: math equivalence through @crucible/grading, and model-graded
// QA / fact checking by a judge model (any SamplingClient: a local model or a hosted one).
import { extractGsm8kFinalAnswer, safeGrade, tryExtractBoxed } from "@crucible/grading";
import { defaultMetrics } from "./metrics.js";
import type { ChatModel } from "./model.js";
import { fillTemplate } from "./solvers.js";
import type { Scorer } from "./types.js";
import { CORRECT, INCORRECT, PARTIAL } from "./types.js";

export type AnswerExtraction = "boxed" | "gsm8k" | "answer_line" | "last_number";

/** The final answer of a completion by `how`; undefined when it has none. */
export function extractAnswer(text: string, how: AnswerExtraction): string | undefined {
  if (how === "boxed") return tryExtractBoxed(text);
  if (how === "gsm8k") {
    try {
      return extractGsm8kFinalAnswer(text);
    } catch {
      return undefined;
    }
  }
  if (how === "answer_line") {
    const all = [...text.matchAll(/ANSWER\s*:\s*(.+)/gi)];
    return all[all.length - 1]?.[1]?.trim().replace(/\.$/, "");
  }
  const nums = text.match(/-?\d[\d,]*(?:\.\d+)?/g);
  return nums?.[nums.length - 1]?.replace(/,/g, "");
}

/** Extracts the final answer (each way in `extract`, first found wins) and grades it with `safeGrade`. */
export function mathEquivalence(
  o: {
    extract?: AnswerExtraction[];
    timeoutMs?: number;
    /** Default: `safeGrade` (time-limited, in a worker); `gradeAnswer` is the synchronous form. */
    grader?: (given: string, truth: string) => boolean | Promise<boolean>;
  } = {},
): Scorer {
  const grade = o.grader ?? ((g: string, t: string) => safeGrade(g, t, { timeoutMs: o.timeoutMs ?? 1000 }));
  const ways = o.extract ?? ["boxed", "answer_line", "last_number"];
  return {
    name: "math_equivalence",
    params: { extract: ways },
    metrics: defaultMetrics(),
    async score(state, targets) {
      const text = state.output.completion;
      let answer: string | undefined;
      for (const w of ways) {
        answer = extractAnswer(text, w);
        if (answer !== undefined) break;
      }
      if (answer === undefined) return { value: INCORRECT, explanation: "no final answer found" };
      for (const t of targets) {
        if (await grade(answer, t)) return { value: CORRECT, answer };
      }
      return { value: INCORRECT, answer };
    },
  };
}

export const DEFAULT_QA_TEMPLATE = `You are comparing a submitted answer to an expert answer on a given question.

[Question]: {question}
[Expert answer]: {criterion}
[Submission]: {answer}

{instructions}`;

export const DEFAULT_FACT_TEMPLATE = `You are comparing a submitted answer to an expert answer on a given question. Decide whether the submission contains the content of the expert answer, ignoring differences in style, grammar or punctuation.

[Question]: {question}
[Expert answer]: {criterion}
[Submission]: {answer}

{instructions}`;

export const DEFAULT_GRADE_INSTRUCTIONS = `Does the submission answer the question correctly, in agreement with the expert answer? Reply with one line "GRADE: C" if it is correct or "GRADE: I" if it is incorrect.`;
export const PARTIAL_GRADE_INSTRUCTIONS = `Does the submission answer the question correctly, in agreement with the expert answer? Reply with one line "GRADE: C" if it is correct, "GRADE: P" if it is partially correct, or "GRADE: I" if it is incorrect.`;

export interface ModelGradedOptions {
  judge: ChatModel;
  template?: string;
  instructions?: string;
  /** Regex whose first group is the grade letter (default `GRADE: ([CPI])`). */
  gradePattern?: RegExp;
  partialCredit?: boolean;
  maxTokens?: number;
}

function modelGraded(name: string, defaultTemplate: string, o: ModelGradedOptions): Scorer {
  const template = o.template ?? defaultTemplate;
  const instructions =
    o.instructions ?? (o.partialCredit ? PARTIAL_GRADE_INSTRUCTIONS : DEFAULT_GRADE_INSTRUCTIONS);
  const re = o.gradePattern ?? /GRADE\s*:\s*([CPI])/i;
  return {
    name,
    params: { judge: o.judge.name, partial_credit: o.partialCredit ?? false },
    metrics: defaultMetrics(),
    async score(state, targets) {
      const question =
        typeof state.sample.input === "string"
          ? state.sample.input
          : state.sample.input
              .filter((m) => m.role === "user")
              .map((m) => m.content)
              .join("\n");
      const prompt = fillTemplate(template, {
        ...state.sample.metadata,
        question,
        criterion: targets.join(" / "),
        answer: state.output.completion,
        instructions,
      });
      const out = await o.judge.generate([{ role: "user", content: prompt }], {
        maxTokens: o.maxTokens ?? 256,
        temperature: 0,
      });
      const m = re.exec(out.completion);
      const letter = m?.[1]?.toUpperCase();
      const value = letter === "C" ? CORRECT : letter === "P" && o.partialCredit ? PARTIAL : INCORRECT;
      return {
        value,
        answer: state.output.completion,
        explanation: out.completion,
        metadata: { judge: o.judge.name, grade_found: letter !== undefined, judge_prompt: prompt },
      };
    },
  };
}

/** A judge model decides whether the answer agrees with the target ("GRADE: C/P/I"). */
export function modelGradedQA(o: ModelGradedOptions): Scorer {
  return modelGraded("model_graded_qa", DEFAULT_QA_TEMPLATE, o);
}

/** A judge model decides whether the answer contains the target fact. */
export function modelGradedFact(o: ModelGradedOptions): Scorer {
  return modelGraded("model_graded_fact", DEFAULT_FACT_TEMPLATE, o);
}
