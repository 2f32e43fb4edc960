// MATH-500 (HuggingFaceH4/MATH-500, split test: problem, solution, answer, subject, level, unique_id) from a local
// .jsonl/.parquet file, the HF cache or the hub (benchmarks/rows.ts). Problems are named by their `unique_id` and carry
// subject/level for the result's per-subject and per-level breakdown.
import { type AnswerGrader, type EnvMessage, MathEnv, mathRowToProblem, type Row } from "@crucible/env";
import type { BenchmarkProblem } from "./benchmark-problem.js";
import { type BenchmarkSource, benchmarkRows } from "./rows.js";

export const MATH500_SOURCE: BenchmarkSource = { hf: "HuggingFaceH4/MATH-500", split: "test" };

/** One MATH-500 row → problem; the reference is `answer`, else the last `\boxed{}` of `solution`. */
export function math500RowToProblem(
  row: Row,
  index: number,
  grader: AnswerGrader,
  prefix: EnvMessage[] | null,
): BenchmarkProblem | null {
  const p = mathRowToProblem(row);
  if (!p?.problem) return null;
  const { problem: question, answer } = p;
  const meta: Record<string, string> = {};
  if (typeof row["subject"] === "string") meta["subject"] = row["subject"];
  if (typeof row["level"] === "number" || typeof row["level"] === "string")
    meta["level"] = String(row["level"]);
  return {
    id: typeof row["unique_id"] === "string" && row["unique_id"] ? row["unique_id"] : String(index),
    question,
    reference: answer,
    meta,
    makeEnv: (r) => new MathEnv(question, answer, r, { grader, convoPrefix: prefix }),
  };
}

/** MATH-500 problems in file order (rows without a problem or an answer are skipped). */
export async function loadMath500(
  source: BenchmarkSource,
  grader: AnswerGrader,
  prefix: EnvMessage[] | null,
): Promise<BenchmarkProblem[]> {
  const rows = await benchmarkRows(source);
  return rows
    .map((r, i) => math500RowToProblem(r, i, grader, prefix))
    .filter((p): p is BenchmarkProblem => p !== null);
}
