// Benchmarks inside training runs: `evals=gsm8k,ifeval` runs every eval_every steps and `inline_evals=…` every
// infrequent_eval_every steps, each as a TaskEvaluator (Inspect logs under <log_path>/evals/), logging
// eval/<task>/<metric> into metrics.jsonl (and so the dashboard). Runs under the log root also record each result
// in the model registry against the saved weights it ran on (registry-hook.ts).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TaskEvaluator } from "@crucible/eval";
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { didYouMean } from "../cli/overrides.js";
import { tokenizerNameFor } from "./resolve.js";

/** `evals=`, `eval_data_dir=`, `eval_limit=`: every recipe has them (the RL loops have no infrequent cadence). */
export function everyEvalFields() {
  return {
    evals: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Benchmarks run every eval_every steps, comma-separated (e.g. gsm8k,ifeval); logged as eval/<task>/<metric>",
      ),
    eval_data_dir: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Directory of <benchmark>.jsonl|.parquet files (or <benchmark>/ split folders) for evals; None = the HF cache",
      ),
    eval_limit: z.number().int().positive().default(50).describe("Samples per benchmark in inline evals"),
  };
}

/** `everyEvalFields` plus `inline_evals=` (run every infrequent_eval_every steps): the SL and DPO recipes. */
export function inlineEvalFields() {
  return {
    ...everyEvalFields(),
    inline_evals: z
      .string()
      .nullable()
      .default(null)
      .describe("Benchmarks run every infrequent_eval_every steps, comma-separated"),
  };
}

export interface InlineEvalConfig {
  evals?: string | null;
  inline_evals?: string | null;
  eval_data_dir?: string | null;
  eval_limit?: number;
}

/** Parses a comma list of benchmark names; unknown names are config errors (checked before anything runs). */
export async function parseEvalList(list: string | null | undefined, field: string): Promise<string[]> {
  if (!list) return [];
  const { BENCHMARK_TASK_NAMES } = await import("@crucible/eval");
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(BENCHMARK_TASK_NAMES as readonly string[]).includes(n)) {
      const m = didYouMean(n, BENCHMARK_TASK_NAMES);
      throw new ConfigError(
        `${field}: unknown benchmark '${n}'${m ? ` (did you mean '${m}'?)` : ""}; benchmarks: ${BENCHMARK_TASK_NAMES.join(", ")}`,
        field,
      );
    }
  }
  return names;
}

/**
 * A benchmark's local data under eval_data_dir: `<name>.jsonl`, `<name>.parquet`, or a `<name>/` folder of split
 * files as the hub lays them out (`data/test-00000-of-00001.parquet`, `main/test.jsonl`, …).
 */
export function benchmarkDataIn(dir: string, name: string): { dataFile: string } | { dataDir: string } {
  for (const ext of [".jsonl", ".parquet"]) {
    const file = join(dir, `${name}${ext}`);
    if (existsSync(file)) return { dataFile: file };
  }
  const sub = join(dir, name);
  if (existsSync(sub) && statSync(sub).isDirectory()) return { dataDir: sub };
  throw new ConfigError(
    `eval_data_dir: no ${name}.jsonl, ${name}.parquet or ${name}/ folder in ${dir}`,
    "eval_data_dir",
  );
}

/** Both lists of a config checked in `resolve`, so a typo fails before anything runs. */
export async function checkEvalLists(c: InlineEvalConfig): Promise<void> {
  await parseEvalList(c.evals, "evals");
  await parseEvalList(c.inline_evals, "inline_evals");
}

type RunFields = InlineEvalConfig & {
  model_name: string | null;
  renderer_name: string | null;
  log_path: string | null;
};

/**
 * Ties each result to the weights it ran on in the model registry, for runs under the log root: the evaluator
 * then has the loop save the evaluated weights (`eval_<step>` sampler weights, or that step's checkpoint).
 */
async function registryHook(c: RunFields, recipe: string | null) {
  const { insideLogRoot, recordInlineEval, runFacts } = await import("./registry-hook.js");
  if (!insideLogRoot(c.log_path!)) return {};
  const facts = runFacts(c as unknown as Record<string, unknown>, recipe);
  return {
    onResult: async (r: Parameters<typeof recordInlineEval>[2]) => {
      await recordInlineEval(c.log_path!, facts, r);
    },
  };
}

/** One TaskEvaluator over the benchmarks a list names (Inspect logs under <log_path>/evals/<sub>/), or null. */
async function taskEvaluatorFor(
  c: RunFields,
  list: string | null | undefined,
  field: string,
  sub: string,
  recipe: string | null,
): Promise<TaskEvaluator | null> {
  const names = await parseEvalList(list, field);
  if (names.length === 0) return null;
  const ev = await import("@crucible/eval");
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  const tasks = [];
  for (const n of names) {
    const data = c.eval_data_dir ? benchmarkDataIn(c.eval_data_dir, n) : {};
    try {
      tasks.push(await ev.loadBenchmarkTask(n as never, { limit: c.eval_limit ?? 50, ...data }));
    } catch (e) {
      if (e instanceof ev.BenchmarkDataError) throw new ConfigError(e.message, field);
      throw e;
    }
  }
  const renderer = getRenderer(c.renderer_name!, await getTokenizer(tokenizerNameFor(c.model_name!)));
  return new ev.TaskEvaluator({
    tasks,
    renderer,
    modelName: c.model_name!,
    logDir: join(c.log_path!, "evals", sub),
    name: `evals/${sub}`,
    ...(await registryHook(c, recipe)),
  });
}

/** Evaluator builders for the SL and DPO loops' `evaluatorBuilders` / `infrequentEvaluatorBuilders`. */
export async function inlineEvaluatorBuilders(c: RunFields, recipe: string | null = null) {
  const every = await taskEvaluatorFor(c, c.evals, "evals", "every", recipe);
  const infrequent = await taskEvaluatorFor(c, c.inline_evals, "inline_evals", "infrequent", recipe);
  return {
    evaluatorBuilders: every ? [() => every] : [],
    infrequentEvaluatorBuilders: infrequent ? [() => infrequent] : [],
  };
}

/** The `evals=` evaluator as the RL loops take it (run on the current sampler every eval_every steps). */
export async function inlineSamplerEvaluators(
  c: RunFields,
  recipe: string | null = null,
): Promise<TaskEvaluator[]> {
  const every = await taskEvaluatorFor(c, c.evals, "evals", "every", recipe);
  return every ? [every] : [];
}
