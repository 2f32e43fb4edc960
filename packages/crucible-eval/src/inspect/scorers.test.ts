import { gradeAnswer } from "@crucible/grading";
import { describe, expect, it } from "vitest";
import { extractAnswer, mathEquivalence } from "./model-scorers.js";
import { newState } from "./run-sample.js";
import { parseChoiceAnswer } from "./solvers.js";
import { choice, exact, f1, includes, match, pattern, tokenF1 } from "./text-scorers.js";
import type { Sample, Scorer, TaskState } from "./types.js";

function answered(completion: string, sample: Partial<Sample> = {}): TaskState {
  const s = newState({ id: 1, input: "q", target: "x", ...sample }, 1, "m");
  s.output.completion = completion;
  return s;
}
const value = async (sc: Scorer, completion: string, targets: string[]) =>
  (await sc.score(answered(completion), targets)).value;

describe("text scorers", () => {
  it("match: at the end by default, numeric by value", async () => {
    expect(await value(match(), "The answer is Paris.", ["paris"])).toBe("C");
    expect(await value(match(), "Paris is not it; it is Lyon", ["Paris"])).toBe("I");
    expect(await value(match({ location: "begin" }), "Paris, of course", ["Paris"])).toBe("C");
    expect(await value(match({ location: "exact" }), " Paris ", ["Paris"])).toBe("C");
    expect(await value(match({ numeric: true }), "so we get 1,000.0 apples", ["1000"])).toBe("C");
    expect(await value(match({ numeric: true }), "12 then 13", ["12"])).toBe("I");
  });

  it("includes, pattern, exact and f1", async () => {
    expect(await value(includes(), "I think it's PARIS", ["Paris"])).toBe("C");
    expect(await value(includes(), "London", ["Paris"])).toBe("I");
    expect(await value(pattern(/ANSWER:\s*(\w+)/), "x\nANSWER: b\nANSWER: c", ["C"])).toBe("C");
    expect(await value(pattern(/ANSWER:\s*(\w+)/), "no answer here", ["c"])).toBe("I");
    expect(await value(exact(), "The  Eiffel tower!", ["eiffel tower"])).toBe("C");
    expect(await value(exact(), "Eiffel", ["eiffel tower"])).toBe("I");
    expect(tokenF1("the cat sat", "a cat sat down")).toBeCloseTo((2 * 1 * (2 / 3)) / (1 + 2 / 3), 12);
    expect(await value(f1(), "cat sat", ["dog ran", "cat sat"])).toBe(1);
    expect(await value(f1(), "dog", ["cat"])).toBe(0);
  });

  it("choice reads the letter multipleChoice parsed", async () => {
    expect(parseChoiceAnswer("Reasoning…\nANSWER: (c)", 4)).toBe("C");
    expect(parseChoiceAnswer("B", 4)).toBe("B");
    expect(parseChoiceAnswer("ANSWER: E", 4)).toBeUndefined();
    const s = answered("ANSWER: C");
    s.store["choice"] = "C";
    expect((await choice().score(s, ["C"])).value).toBe("C");
    expect((await choice().score(s, ["A"])).value).toBe("I");
    expect((await choice().score(answered("?"), ["A"])).value).toBe("I");
  });

  it("math equivalence through @crucible/grading", async () => {
    expect(extractAnswer("so \\boxed{\\frac{1}{2}}", "boxed")).toBe("\\frac{1}{2}");
    expect(extractAnswer("#### 1,042", "gsm8k")).toBe("1042");
    expect(extractAnswer("ANSWER: 7.", "answer_line")).toBe("7");
    expect(extractAnswer("3 then 4,500", "last_number")).toBe("4500");
    const sc = mathEquivalence({ grader: gradeAnswer });
    expect(await value(sc, "thus \\boxed{0.5}", ["\\frac{1}{2}"])).toBe("C");
    expect(await value(sc, "thus \\boxed{0.6}", ["\\frac{1}{2}"])).toBe("I");
    expect(await value(sc, "no answer", ["1"])).toBe("I");
  });
});
