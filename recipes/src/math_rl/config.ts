// math_rl: RL on arithmetic / GSM8K / MATH with verifiable rewards (cookbook recipes/math_rl/train.py → rl/train.py).
import { ConfigError } from "../cli/errors.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { resolveMathData } from "./data.js";
import { type MathRlConfig, mathRlSchema, REMOTE_MODEL } from "./schema.js";

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
