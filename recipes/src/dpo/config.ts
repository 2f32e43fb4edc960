// dpo: Direct Preference Optimisation (cookbook recipes/preference/dpo/train.py → preference/train_dpo.py).

import { basename } from "node:path";
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { bundledData, PREFERENCES_FILE } from "../common/data.js";
import {
  adamFields,
  checkpointFields,
  commonFields,
  LrSchedule,
  modelField,
  nonNegInt,
  posInt,
} from "../common/fields.js";
import { checkEvalLists, inlineEvalFields } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { checkHubInputs } from "../sl_basic/config.js";

const REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";
const NAMED = ["hhh", "helpsteer3", "ultrafeedback"] as const;

export const dpoSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL),
    ...commonFields(),
    dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "hhh, helpsteer3, ultrafeedback or a comparisons .jsonl; None = bundled preferences.jsonl locally, hhh remotely",
      ),
    test_size: nonNegInt().default(8).describe("Comparisons of a .jsonl dataset held out for test/nll"),
    learning_rate: z.number().positive().default(1e-5).describe("Adam learning rate"),
    lr_schedule: LrSchedule.default("linear").describe("Learning-rate multiplier over the run"),
    dpo_beta: z.number().positive().default(0.1).describe("DPO beta (strength of the KL to the reference)"),
    max_length: posInt().default(8192).describe("Truncate each sequence to this many tokens"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("Comparisons per step; None = 8 locally, 256 remotely"),
    num_epochs: posInt().default(1).describe("Passes over the training set"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    eval_every: nonNegInt().default(10).describe("Run test/nll every N steps (0 = never)"),
    infrequent_eval_every: nonNegInt().default(100).describe("Run infrequent evaluators every N steps"),
    reference_model_name: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Accepted for compatibility; unused (as in the cookbook): the reference is the initial policy",
      ),
    ...inlineEvalFields(),
    ...adamFields(),
    ...checkpointFields(20),
  })
  .strict();
export type DpoConfig = z.output<typeof dpoSchema>;

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
