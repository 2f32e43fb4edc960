// code_rl: RL on problems with unit tests (cookbook recipes/code_rl), rewards from running the candidate's code
// in @crucible/grading's sandbox. The RL loop and its keys are math_rl's; only the problem source differs.
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { modelField, posInt } from "../common/fields.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { mathRlSchema } from "../math_rl/schema.js";
import { defineRecipe } from "../recipe.js";
import type { CodeProblem } from "./problems.js";

export const CODE_RL_REMOTE_MODEL = "Qwen/Qwen3.5-9B";

export const codeRlSchema = mathRlSchema
  .omit({
    env: true,
    data_dir: true,
    seed: true,
    n_batches: true,
    include_fewshot: true,
    eval_benchmark: true,
    eval_problems: true,
    stream_minibatch_config: true,
    max_steps_off_policy: true,
  })
  .extend({
    model_name: modelField(CODE_RL_REMOTE_MODEL),
    max_tokens: posInt().default(256).describe("Max sampled tokens per answer"),
    n_batches: posInt().default(100).describe("Batches of the problem set (problems repeat cyclically)"),
    problems_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Problems file (.jsonl/.json/.parquet) of {prompt, tests, reference?} rows, tests = Python asserts; None = the bundled toy set",
      ),
  })
  .strict();
export type CodeRlConfig = z.output<typeof codeRlSchema>;

/** The user's problems file, its bad rows as ConfigErrors naming the field. */
async function loadProblems(path: string): Promise<readonly CodeProblem[]> {
  const { DatasetSourceError } = await import("@crucible/env");
  const { loadCodeProblems } = await import("./problems.js");
  try {
    return await loadCodeProblems(path);
  } catch (e) {
    if (e instanceof DatasetSourceError)
      throw new ConfigError(`problems_path=${path}: ${e.message}`, "problems_path");
    throw e;
  }
}

export const codeRl = defineRecipe({
  name: "code_rl",
  summary: "RL on coding problems with unit tests; reward = the tests pass in the sandbox",
  description:
    "Sample group_size programs per problem, run each with the problem's asserts in @crucible/grading's " +
    "sandbox (bubblewrap; no network, time and memory limits), reward = passed + format_coef*(has code block - 1), " +
    "then math_rl's RL loop. Problems: a bundled toy set of small Python functions, or problems_path.",
  schema: codeRlSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, CODE_RL_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    if (cfg.kl_penalty_coef > 0)
      throw new ConfigError(
        "kl_penalty_coef > 0 needs a KL reference model, which code_rl does not configure",
        "kl_penalty_coef",
      );
    if (cfg.problems_path) {
      checkFileExists(cfg.problems_path, "problems_path");
      await loadProblems(cfg.problems_path);
    }
    const { sandboxAvailability } = await import("@crucible/grading");
    const sb = sandboxAvailability();
    if (!sb.ok) throw new ConfigError(`code_rl needs the code sandbox: ${sb.reason}`, "backend");
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      groups_per_batch: cfg.groups_per_batch ?? (backend === "local" ? 4 : 64),
      log_path: cfg.log_path ?? "/tmp/tinker-examples/code_rl",
    };
  },
  async run(cfg, ctx) {
    const { runMathRl } = await import("../math_rl/run.js");
    const { codeDatasetBuilder } = await import("./dataset.js");
    const { CODE_PROBLEMS } = await import("./problems.js");
    const problems = cfg.problems_path ? await loadProblems(cfg.problems_path) : CODE_PROBLEMS;
    const full = { ...cfg, stream_minibatch_config: null, max_steps_off_policy: null, eval_benchmark: null };
    return runMathRl(full as never, ctx, {
      datasetBuilder: (r) =>
        codeDatasetBuilder(problems, r, cfg.groups_per_batch!, cfg.group_size, cfg.n_batches),
    });
  },
});
