// dpo: Direct Preference Optimisation (cookbook recipes/preference/dpo/train.py → preference/train_dpo.py).
import { basename } from "node:path";
import { ConfigError } from "../cli/errors.js";
import { bundledData, PREFERENCES_FILE } from "../common/data.js";
import { checkHubInputs } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { dpoSchema, REMOTE_MODEL } from "./schema.js";

const NAMED = ["hhh", "helpsteer3", "ultrafeedback"] as const;

export const dpo = defineRecipe({
  name: "dpo",
  summary: "Direct Preference Optimisation on preference pairs (bundled pairs locally, HHH remotely)",
  description:
    "DPO against the initial policy as reference: per pair, loss = -log sigmoid(beta * ((logp_c - ref_c) - (logp_r - ref_r))). " +
    "Logs dpo_loss, accuracy, margin, chosen/rejected rewards and test/nll. Mirrors the cookbook's preference/dpo CLIConfig.",
  schema: dpoSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    const dataset = cfg.dataset ?? (backend === "local" ? bundledData(PREFERENCES_FILE) : "hhh");
    if (dataset.endsWith(".jsonl")) checkFileExists(dataset, "dataset");
    else if (!(NAMED as readonly string[]).includes(dataset)) {
      throw new ConfigError(
        `dataset=${dataset}: expected ${NAMED.join(", ")} or a path ending in .jsonl`,
        "dataset",
      );
    }
    await checkHubInputs(dataset, model_name, backend);
    const batch_size = cfg.batch_size ?? (backend === "local" ? 8 : 256);
    const ds = dataset.endsWith(".jsonl") ? basename(dataset, ".jsonl") : dataset;
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/dpo/${ds}-${modelSlug(model_name)}-${pyFloatStr(cfg.learning_rate)}lr-${batch_size}batch-${runDate()}`;
    return { ...cfg, backend, model_name, renderer_name, renderer_name_given, dataset, batch_size, log_path };
  },
  async run(cfg, ctx) {
    const { runDpo } = await import("./run.js");
    return runDpo(cfg, ctx);
  },
});
