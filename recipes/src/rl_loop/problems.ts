// rl_loop's problems and reward: GSM8K with a \boxed{} answer (the cookbook's), or "What is x + y?" sums that
// the tiny local models can learn (answer = the bare number).

import { RandomState } from "@crucible/env";
import { extractBoxed, extractGsm8kFinalAnswer, gradeAnswer } from "@crucible/grading";
import type { Message } from "@crucible/renderers";
import { loadSplitRows, RowDataset } from "@crucible/train";

export interface Problem {
  question: string;
  answer: string;
}

export interface ProblemSet {
  /** The conversation the policy answers: a few-shot prefix plus the question. */
  prompt(p: Problem): Message[];
  reward(response: string, p: Problem): number;
  rows: RowDataset<Problem>;
}

const GSM8K_SUFFIX = " Provide a numerical answer without units, written inside \\boxed{}.";

/** The cookbook's one-shot example showing the \boxed{} format. */
const GSM8K_PREFIX: Message[] = [
  { role: "user", content: `How many r's are in strawberry?${GSM8K_SUFFIX}` },
  {
    role: "assistant",
    content:
      "Let's spell the word out and number all the letters: 1) s 2) t 3) r 4) a 5) w 6) b 7) e 8) r 9) r 10) y. We have r's at positions 3, 8, and 9. \\boxed{3}",
  },
];

export async function gsm8kProblems(): Promise<ProblemSet> {
  const rows = await loadSplitRows({ repo: "openai/gsm8k", config: "main" }, "train");
  const problems = rows.map((r) => {
    const v = r.value as { question?: unknown; answer?: unknown };
    return { question: String(v.question), answer: String(v.answer) };
  });
  return {
    rows: RowDataset.fromList(problems),
    prompt: (p) => [...GSM8K_PREFIX, { role: "user", content: p.question + GSM8K_SUFFIX }],
    reward(response, p) {
      try {
        return gradeAnswer(extractBoxed(response), extractGsm8kFinalAnswer(p.answer)) ? 1 : 0;
      } catch {
        return 0; // no \boxed{} answer
      }
    },
  };
}

/** `count` sums x + y with 0 ≤ x, y < maxOperand from MT19937(seed); reward 1 iff the reply's first integer is the sum. */
export function sumProblems(count: number, maxOperand: number, seed = 0): ProblemSet {
  const rng = new RandomState(seed);
  const problems = Array.from({ length: count }, () => {
    const x = rng.randint(0, maxOperand);
    const y = rng.randint(0, maxOperand);
    return { question: `What is ${x} + ${y}?`, answer: String(x + y) };
  });
  return { rows: RowDataset.fromList(problems), ...sumGrading };
}

/** How a sum is asked (the bare question) and scored (1 iff the reply's first integer is the sum). */
export const sumGrading: Pick<ProblemSet, "prompt" | "reward"> = {
  prompt: (p) => [{ role: "user", content: p.question }],
  reward: (response, p) => (/-?\d+/.exec(response)?.[0] === p.answer ? 1 : 0),
};
