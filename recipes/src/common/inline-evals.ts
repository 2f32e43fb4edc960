// Benchmarks inside training runs: `evals=gsm8k,ifeval` runs every eval_every steps and `inline_evals=…` every
// infrequent_eval_every steps, each as a TaskEvaluator (Inspect logs under <log_path>/evals/), logging
// eval/<task>/<metric> into metrics.jsonl (and so the dashboard).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { didYouMean } from "../cli/overrides.js";
import { tokenizerNameFor } from "./resolve.js";

export function inlineEvalFields() {
  return {
    evals: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Benchmarks run every eval_every steps, comma-separated (e.g. gsm8k,ifeval); logged as eval/<task>/<metric>",
      ),
    inline_evals: z
      .string()
      .nullable()
      .default(null)
      .describe("Benchmarks run every infrequent_eval_every steps, comma-separated"),
    eval_data_dir: z
      .string()
      .nullable()
      .default(null)
      .describe("Directory of <benchmark>.jsonl files for evals; None = the HF cache"),
    eval_limit: z.number().int().positive().default(50).describe("Samples per benchmark in inline evals"),
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

/** Evaluator builders for the loops' `evaluatorBuilders` / `infrequentEvaluatorBuilders`. */
export async function inlineEvaluatorBuilders(
  c: InlineEvalConfig & { model_name: string | null; renderer_name: string | null; log_path: string | null },
) {
  const build = async (list: string | null | undefined, field: string, sub: string) => {
    const names = await parseEvalList(list, field);
    if (names.length === 0) return [];
    const ev = await import("@crucible/eval");
    const { getRenderer, getTokenizer } = await import("@crucible/renderers");
    const tasks = [];
    for (const n of names) {
      const file = c.eval_data_dir ? join(c.eval_data_dir, `${n}.jsonl`) : null;
      if (file && !existsSync(file))
        throw new ConfigError(`eval_data_dir: ${file} not found`, "eval_data_dir");
      try {
        tasks.push(
          await ev.loadBenchmarkTask(n as never, {
            limit: c.eval_limit ?? 50,
            ...(file ? { dataFile: file } : {}),
          }),
        );
      } catch (e) {
        if (e instanceof ev.BenchmarkDataError) throw new ConfigError(e.message, field);
        throw e;
      }
    }
    const renderer = getRenderer(c.renderer_name!, await getTokenizer(tokenizerNameFor(c.model_name!)));
    const evaluator = new ev.TaskEvaluator({
      tasks,
      renderer,
      modelName: c.model_name!,
      logDir: join(c.log_path!, "evals", sub),
    });
    return [() => evaluator];
  };
  return {
    evaluatorBuilders: await build(c.evals, "evals", "every"),
    infrequentEvaluatorBuilders: await build(c.inline_evals, "inline_evals", "infrequent"),
  };
}
