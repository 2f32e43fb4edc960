// code_rl's toy problems: write a small Python function (or continue a given prefix); the reward runs the reply's code with the problem's
// asserts in @crucible/grading's sandbox (runPythonTests) and is 1 only if every assert passes.
import {
  DatasetSourceError,
  type EnvMessage,
  type EnvRenderer,
  ProblemEnv,
  type Row,
  readRows,
} from "@crucible/env";
import { extractCode } from "@crucible/eval";
import { runPythonTests } from "@crucible/grading";

export interface CodeProblem {
  /** The task in words, naming the function to write. */
  prompt: string;
  /** Python asserts run after the candidate's code. */
  tests: string;
  /** A correct solution (for transcripts and tests); with a prefix, the code that continues it. */
  reference: string;
  /**
   * Code shown to the policy that its reply continues (e.g. a signature whose body the reply writes, as in
   * HumanEval); the program run is prefix + the reply's code. Absent = the reply is the whole program.
   */
  prefix?: string;
}

export const CODE_PROBLEMS: readonly CodeProblem[] = [
  {
    prompt: "Write a Python function add(a, b) that returns a + b.",
    tests: "assert add(1, 2) == 3\nassert add(-4, 4) == 0",
    reference: "def add(a, b):\n    return a + b",
  },
  {
    prompt: "Write a Python function square(x) that returns x * x.",
    tests: "assert square(3) == 9\nassert square(-2) == 4",
    reference: "def square(x):\n    return x * x",
  },
  {
    prompt: "Write a Python function is_even(n) that returns True when n is even.",
    tests: "assert is_even(4)\nassert not is_even(7)",
    reference: "def is_even(n):\n    return n % 2 == 0",
  },
  {
    prompt: "Write a Python function reverse(s) that returns the string s reversed.",
    tests: "assert reverse('abc') == 'cba'\nassert reverse('') == ''",
    reference: "def reverse(s):\n    return s[::-1]",
  },
  {
    prompt: "Write a Python function maximum(xs) that returns the largest number in the list xs.",
    tests: "assert maximum([3, 9, 2]) == 9\nassert maximum([-5]) == -5",
    reference: "def maximum(xs):\n    return max(xs)",
  },
  {
    prompt: "Write a Python function count_a(s) that returns how many times 'a' occurs in s.",
    tests: "assert count_a('banana') == 3\nassert count_a('xyz') == 0",
    reference: "def count_a(s):\n    return s.count('a')",
  },
];

/** A problems-file row: `prompt` and `tests` (Python asserts) are required, `reference` is optional. */
export function toCodeProblem(row: Row, i: number): CodeProblem {
  const str = (k: string) => {
    const v = row[k];
    if (typeof v !== "string" || v.trim().length === 0)
      throw new DatasetSourceError(`problem row ${i}: needs a non-empty string "${k}"`);
    return v;
  };
  const reference = row["reference"] ?? "";
  if (typeof reference !== "string")
    throw new DatasetSourceError(`problem row ${i}: "reference" must be a string (a correct solution)`);
  const prefix = row["prefix"] ?? null;
  if (prefix !== null && typeof prefix !== "string")
    throw new DatasetSourceError(
      `problem row ${i}: "prefix" must be a string (the code the reply continues)`,
    );
  return { prompt: str("prompt"), tests: str("tests"), reference, ...(prefix ? { prefix } : {}) };
}

/** Problems from a .jsonl / .json / .parquet file of `{prompt, tests, reference?, prefix?}` rows. */
export async function loadCodeProblems(path: string): Promise<CodeProblem[]> {
  const problems = (await readRows(path)).map(toCodeProblem);
  if (problems.length === 0) throw new DatasetSourceError("no problems in the file");
  return problems;
}

const INSTRUCTION = " Reply with only the code in a ```python block.";
const CONTINUE_INSTRUCTION = "Reply with only the code that continues it, in a ```python block.";

export class CodeEnv extends ProblemEnv {
  constructor(
    readonly problem: CodeProblem,
    renderer: EnvRenderer,
    convoPrefix: EnvMessage[] | null = null,
    formatCoef = 0.1,
  ) {
    super(renderer, { convoPrefix, formatCoef });
  }
  getQuestion(): string {
    const { prompt, prefix } = this.problem;
    return prefix
      ? `${prompt}\n\`\`\`python\n${prefix}\n\`\`\`\n${CONTINUE_INSTRUCTION}`
      : prompt + INSTRUCTION;
  }
  /** Correct = prefix + the extracted code passes the problem's asserts in the sandbox. */
  async checkAnswer(text: string): Promise<boolean> {
    const program = (this.problem.prefix ?? "") + extractCode(text);
    return (await runPythonTests(program, this.problem.tests)).passed;
  }
  /** Well-formed = the reply holds a fenced code block. */
  checkFormat(text: string): boolean {
    return /```[\s\S]*```/.test(text);
  }
  getReferenceAnswer(): string {
    return `\`\`\`python\n${this.problem.reference}\n\`\`\``;
  }
}
