// math_rl: RL on arithmetic / GSM8K / MATH with verifiable rewards (cookbook recipes/math_rl/train.py → rl/train.py).

import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { commonFields, modelField, nonNegInt, posInt, RlLossFn } from "../common/fields.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists, everyEvalFields } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { resolveMathData } from "./data.js";

const REMOTE_MODEL = "Qwen/Qwen3.5-9B";

export const mathRlSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL),
    ...commonFields(),
    env: z
      .enum(["arithmetic", "math", "gsm8k", "polaris", "deepmath"])
      .default("arithmetic")
      .describe("Problem set"),
    data_dir: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Directory with train*.jsonl|parquet (and test* for gsm8k/math) for env=gsm8k|math|polaris|deepmath; None = the HF cache",
      ),
    seed: z.number().int().nonnegative().default(0).describe("Data shuffling seed"),
    group_size: posInt().default(4).describe("Samples per problem (advantages are centred within a group)"),
    groups_per_batch: posInt()
      .nullable()
      .default(null)
      .describe("Problems per step; None = 8 locally, 100 remotely"),
    learning_rate: z.number().positive().default(1e-5).describe("Adam learning rate (constant)"),
    max_tokens: posInt().default(5).describe("Max sampled tokens per answer"),
    temperature: z.number().positive().default(1.0).describe("Sampling temperature"),
    kl_penalty_coef: z
      .number()
      .nonnegative()
      .default(0)
      .describe("KL penalty to the base model (needs a reference; 0 = off)"),
    num_substeps: posInt().default(1).describe("Optimizer steps per batch"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    compute_post_kl: z
      .boolean()
      .default(false)
      .describe("Log KL between the sampler before and after each update"),
    eval_every: nonNegInt().default(20).describe("Evaluate on the test set every N steps (0 = never)"),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    max_steps_off_policy: nonNegInt()
      .nullable()
      .default(null)
      .describe("Async mode: max staleness of a rollout in steps (0 allowed; None = sync)"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
    stream_minibatch_config: z
      .object({
        groups_per_batch: posInt().describe(
          "Groups per batch across all substeps and minibatches (must equal groups_per_batch)",
        ),
        num_minibatches: posInt().describe("Minibatches (forward_backward calls) per optimizer substep"),
      })
      .strict()
      .nullable()
      .default(null)
      .describe(
        "Streaming minibatches: train on each minibatch as soon as its groups are sampled (on-policy; None = off)",
      ),
    loss_fn: RlLossFn.default("importance_sampling").describe("Policy-gradient loss"),
    loss_fn_config: z
      .record(z.string(), z.number())
      .nullable()
      .default(null)
      .describe('Loss options as JSON, e.g. {"clip_low_threshold":0.8}'),
    n_batches: posInt().default(100).describe("Batches in the arithmetic dataset"),
    eval_benchmark: z
      .enum(["arithmetic", "gsm8k", "math500"])
      .nullable()
      .default(null)
      .describe(
        "Held-out benchmark evaluated greedily every eval_every steps (logged as bench/<name>/accuracy)",
      ),
    eval_problems: posInt().default(50).describe("Problems of eval_benchmark"),
    ...everyEvalFields(),
    include_fewshot: z.boolean().default(true).describe("Arithmetic: prepend the 4 + 5 = 9 example"),
  })
  .strict();
export type MathRlConfig = z.output<typeof mathRlSchema>;

/**
 * The cookbook builds `StreamMinibatchConfig(groups_per_batch=<top-level groups_per_batch>, num_minibatches)`; a
 * different nested value would be silently ignored there, so it is an error here. The loop's divisibility rules
 * (`groups_per_batch % num_substeps`, `(groups_per_batch / num_substeps) % num_minibatches`) are checked before
 * anything is written.
 */
function checkStreamMinibatch(cfg: MathRlConfig, groupsPerBatch: number): void {
  const s = cfg.stream_minibatch_config;
  if (!s) return;
  if (cfg.max_steps_off_policy !== null) {
    throw new ConfigError(
      "stream_minibatch_config and max_steps_off_policy cannot be combined (streaming is on-policy; pick one)",
      "stream_minibatch_config",
    );
  }
  if (s.groups_per_batch !== groupsPerBatch) {
    throw new ConfigError(
      `stream_minibatch_config.groups_per_batch=${s.groups_per_batch} must equal groups_per_batch=${groupsPerBatch} (the dataset's batch size)`,
      "stream_minibatch_config.groups_per_batch",
    );
  }
  if (groupsPerBatch % cfg.num_substeps !== 0) {
    throw new ConfigError(
      `stream_minibatch_config.groups_per_batch=${groupsPerBatch} must be divisible by num_substeps=${cfg.num_substeps}`,
      "stream_minibatch_config.groups_per_batch",
    );
  }
  const perSubstep = groupsPerBatch / cfg.num_substeps;
  if (perSubstep % s.num_minibatches !== 0) {
    throw new ConfigError(
      `stream_minibatch_config.num_minibatches=${s.num_minibatches} must divide groups_per_batch / num_substeps = ${perSubstep}`,
      "stream_minibatch_config.num_minibatches",
    );
  }
}

export const mathRl = defineRecipe({
  name: "math_rl",
  summary: "RL with verifiable rewards on arithmetic, GSM8K, MATH, Polaris or DeepMath (policy gradient)",
  description:
    "On-policy RL: sample group_size answers per problem, reward = correct + format_coef*(format-1), advantages " +
    "centred per group, importance_sampling (or ppo/cispo/dro) loss. env=arithmetic needs no data; gsm8k, math, " +
    "polaris and deepmath read local files from data_dir or the HF cache. Mirrors the cookbook's math_rl CLIConfig.",
  schema: mathRlSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    if (cfg.kl_penalty_coef > 0) {
      throw new ConfigError(
        "kl_penalty_coef > 0 needs a KL reference model, which math_rl does not configure (as in the cookbook)",
        "kl_penalty_coef",
      );
    }
    const data_dir = await resolveMathData(cfg.env, cfg.data_dir, backend);
    if (backend === "remote") await checkHubTokenizer(model_name);
    const groups_per_batch = cfg.groups_per_batch ?? (backend === "local" ? 8 : 100);
    checkStreamMinibatch(cfg, groups_per_batch);
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/math_rl/${cfg.env}-${modelSlug(model_name)}-${cfg.lora_rank}rank-${pyFloatStr(cfg.learning_rate)}lr-${cfg.group_size}group-${groups_per_batch}batch-${cfg.loss_fn}-seed${cfg.seed}-${runDate()}`;
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      groups_per_batch,
      data_dir,
      log_path,
    };
  },
  async run(cfg, ctx) {
    const { runMathRl } = await import("./run.js");
    return runMathRl(cfg, ctx);
  },
});
