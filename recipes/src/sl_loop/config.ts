// sl_loop: the minimal supervised loop, with the cookbook's recipes/sl_loop.py Config fields and defaults.
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE } from "../common/data.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { SL_LOOP_REMOTE_MODEL, slLoopSchema } from "./schema.js";

export const slLoop = defineRecipe({
  name: "sl_loop",
  summary: "Tutorial: the minimal SFT loop (client + renderer + a for-loop), NoRobots or a .jsonl file",
  description:
    "A flat supervised fine-tuning loop without the training library: render conversations into datums, " +
    "forward_backward with cross_entropy, optim_step with a linearly decaying LR, log train_mean_nll, checkpoint. " +
    "Mirrors the cookbook's recipes/sl_loop.py; read recipes/src/sl_loop/loop.ts.",
  schema: slLoopSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, SL_LOOP_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    const dataset = cfg.dataset ?? (backend === "local" ? bundledData(CONVERSATIONS_FILE) : "no_robots");
    if (dataset.endsWith(".jsonl")) checkFileExists(dataset, "dataset");
    else if (dataset !== "no_robots")
      throw new ConfigError(`dataset=${dataset}: expected no_robots or a path ending in .jsonl`, "dataset");
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      dataset,
      batch_size: cfg.batch_size ?? (backend === "local" ? 8 : 128),
      log_path: cfg.log_path ?? "/tmp/tinker-examples/sl-loop",
    };
  },
  async run(cfg, ctx) {
    const { runSlLoop } = await import("./loop.js");
    return runSlLoop(cfg, ctx);
  },
});
