// shorter: RL from a pairwise preference for the shorter answer (cookbook recipes/preference/shorter/train.py).
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { SHORTER_REMOTE_MODEL, shorterSchema } from "./schema.js";

export const shorter = defineRecipe({
  name: "shorter",
  summary: "RL from a pairwise preference for the shorter answer (preference model = character count)",
  description:
    'One prompt ("Who are you?"), group_size answers per step played against each other in all ordered pairs; ' +
    "the preference model prefers the answer with fewer characters; reward = mean win-minus-loss + (ended with " +
    "the stop sequence - 1). Answers get shorter (ac_tokens_per_turn drops). Mirrors the cookbook's " +
    "preference/shorter CLIConfig (compute_post_kl on).",
  schema: shorterSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, SHORTER_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(
      cfg.renderer_name,
      model_name,
      backend === "remote" && cfg.model_name === null ? "qwen3_5_disable_thinking" : null,
    );
    const batch_size = cfg.batch_size ?? (backend === "local" ? 4 : 32);
    const group_size = cfg.group_size ?? (backend === "local" ? 4 : 16);
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/shorter/shorter-${modelSlug(model_name)}-${batch_size}batch-${group_size}group-${pyFloatStr(cfg.learning_rate)}lr-${runDate()}`;
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      batch_size,
      group_size,
      log_path,
    };
  },
  async run(cfg, ctx) {
    const { runShorter } = await import("./run.js");
    return runShorter(cfg, ctx);
  },
});
