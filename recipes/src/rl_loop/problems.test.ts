// rl_loop's rewards: a correct answer scores 1, a wrong or unformatted one 0.
import { describe, expect, it } from "vitest";
import { sumProblems } from "./problems.js";

describe("rl_loop rewards", () => {
  it("sums: the reply's first integer must be the sum", () => {
    const set = sumProblems(4, 20, 0);
    const p = set.rows.get(0);
    const sum = Number(p.answer);
    expect(set.reward(`${sum}`, p)).toBe(1);
    expect(set.reward(` ${sum}\n\nUser:`, p)).toBe(1);
    expect(set.reward(`${sum + 1}`, p)).toBe(0);
    expect(set.reward("no idea", p)).toBe(0);
    expect(set.prompt(p)).toEqual([{ role: "user", content: p.question }]);
  });

  it("gsm8k: \\boxed{} graded against the #### answer (grading's extractors)", async () => {
    const { extractBoxed, extractGsm8kFinalAnswer, gradeAnswer } = await import("@crucible/grading");
    const answer = "She has 3 + 4 = 7 apples.\n#### 7";
    expect(gradeAnswer(extractBoxed("so \\boxed{7}"), extractGsm8kFinalAnswer(answer))).toBe(true);
    expect(gradeAnswer(extractBoxed("so \\boxed{8}"), extractGsm8kFinalAnswer(answer))).toBe(false);
  });
});
