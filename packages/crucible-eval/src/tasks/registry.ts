// The benchmark tasks by name, for `crucible eval <benchmark…>` and `evals=…` in recipes.
import type { Task } from "../inspect/types.js";
import { arcChallengeTask, gpqaDiamondTask, hellaswagTask, mmluTask } from "./choice-tasks.js";
import { humanevalTask, mbppTask } from "./code-tasks.js";
import type { TaskLoadOptions } from "./common.js";
import { ifevalTask } from "./ifeval/task.js";
import { arithmeticTask, gsm8kTask, math500Task } from "./math-tasks.js";

export const BENCHMARK_TASKS = {
  arithmetic: async (o: TaskLoadOptions) => arithmeticTask(o.limit !== undefined ? { count: o.limit } : {}),
  gsm8k: gsm8kTask,
  math500: math500Task,
  mmlu: mmluTask,
  gpqa_diamond: gpqaDiamondTask,
  arc_challenge: arcChallengeTask,
  hellaswag: hellaswagTask,
  ifeval: ifevalTask,
  humaneval: humanevalTask,
  mbpp: mbppTask,
} as const satisfies Record<string, (o: TaskLoadOptions) => Promise<Task>>;

export type BenchmarkTaskName = keyof typeof BENCHMARK_TASKS;
export const BENCHMARK_TASK_NAMES = Object.keys(BENCHMARK_TASKS) as BenchmarkTaskName[];

export function isBenchmarkTask(name: string): name is BenchmarkTaskName {
  return name in BENCHMARK_TASKS;
}

export function loadBenchmarkTask(name: BenchmarkTaskName, opts: TaskLoadOptions = {}): Promise<Task> {
  return BENCHMARK_TASKS[name](opts);
}
