// Benchmarks over the env protocol: problem sets, the resumable runner and the inline evaluator.
export type { BenchmarkProblem } from "./benchmark-problem.js";
export { BenchmarkEvaluator, type BenchmarkEvaluatorOptions } from "./evaluator.js";
export { loadMath500, MATH500_SOURCE, math500RowToProblem } from "./math500.js";
export {
  type ArithmeticHeldOutOptions,
  arithmeticHeldOutProblems,
  arithmeticProblems,
  BENCHMARK_NAMES,
  BenchmarkDataError,
  type BenchmarkName,
  type LoadBenchmarkOptions,
  loadBenchmark,
  problemPairs,
} from "./problems.js";
export {
  type BenchmarkSource,
  BenchmarkSourceError,
  benchmarkFiles,
  benchmarkRows,
  type SplitQuery,
} from "./rows.js";
export {
  type BenchmarkResult,
  type BenchmarkRunConfig,
  type BenchmarkRunOptions,
  type BreakdownEntry,
  benchmarkHash,
  readTrajectories,
  runBenchmark,
  type SampleRecord,
  type TrajectoryRecord,
} from "./runner.js";
