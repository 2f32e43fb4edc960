// rl_loop: the minimal RL loop, with the cookbook's recipes/rl_loop.py Config fields and defaults.
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { RL_LOOP_REMOTE_MODEL, rlLoopSchema } from "./schema.js";

export const rlLoop = defineRecipe({
  name: "rl_loop",
  summary:
    "Tutorial: the minimal RL loop (sample groups, centre rewards, importance sampling) on GSM8K or sums",
  description:
    "A flat RL loop without the training library: save weights for the sampler, sample group_size answers per " +
    "problem, reward 1 for a correct answer, advantage = reward − group mean, one importance_sampling step per " +
    "batch, log reward/total. Mirrors the cookbook's recipes/rl_loop.py; read recipes/src/rl_loop/loop.ts.",
  schema: rlLoopSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, RL_LOOP_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      dataset: cfg.dataset ?? (backend === "local" ? "arithmetic" : "gsm8k"),
      log_path: cfg.log_path ?? "/tmp/tinker-examples/rl-loop",
    };
  },
  async run(cfg, ctx) {
    const { runRlLoop } = await import("./loop.js");
    return runRlLoop(cfg, ctx);
  },
});
