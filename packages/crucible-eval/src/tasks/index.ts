// Benchmarks as Inspect-style tasks.
export {
  arcChallengeTask,
  gpqaDiamondTask,
  HELLASWAG_TEMPLATE,
  hellaswagTask,
  mmluTask,
} from "./choice-tasks.js";
export {
  type CodeScorerOptions,
  type CodeTaskOptions,
  codeExecution,
  extractCode,
  HUMANEVAL_TEMPLATE,
  humanevalTask,
  MBPP_TEMPLATE,
  mbppTask,
} from "./code-tasks.js";
export type { TaskLoadOptions } from "./common.js";
export {
  CHECKERS as IFEVAL_CHECKERS,
  type Checker as IfevalChecker,
  checkInstructions,
  IfevalInstructionError,
  INSTRUCTION_IDS as IFEVAL_INSTRUCTION_IDS,
  looseVariants,
} from "./ifeval/checkers.js";
export { ifevalScorer, ifevalTask } from "./ifeval/task.js";
export {
  type ArithmeticTaskOptions,
  arithmeticTask,
  GSM8K_TEMPLATE,
  gsm8kTask,
  integerAnswer,
  MATH_TEMPLATE,
  math500Task,
} from "./math-tasks.js";
export {
  BENCHMARK_TASK_NAMES,
  BENCHMARK_TASKS,
  type BenchmarkTaskName,
  isBenchmarkTask,
  loadBenchmarkTask,
} from "./registry.js";
