// One problem of a benchmark: its own file so the problem-set loaders (math500.ts) and problems.ts, which
// lists the sets, do not import each other.
import type { EnvRenderer, ProblemEnv } from "@crucible/env";

export interface BenchmarkProblem {
  /** Stable id within the benchmark (used to resume). */
  id: string;
  question: string;
  reference: string;
  /** Attributes to break accuracy down by (e.g. MATH-500 `subject`, `level`). */
  meta?: Record<string, string>;
  makeEnv(renderer: EnvRenderer): ProblemEnv;
}
