// sl_basic: supervised fine-tuning on chat conversations (cookbook recipes/sl_basic.py → supervised/train.py).

import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE } from "../common/data.js";
import {
  checkpointFields,
  commonFields,
  datasetLoopFields,
  modelField,
  nonNegInt,
  TrainOnWhat,
} from "../common/fields.js";
import { checkHubInputs } from "../common/hub-inputs.js";
import { checkEvalLists, inlineEvalFields } from "../common/inline-evals.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

export const REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";

/** Fields of the cookbook's supervised `train.Config`, shared by sl_basic and chat_sl. */
export function slTrainFields(d: {
  learning_rate: number;
  eval_every: number;
  batch_size_remote: number;
  max_length: number;
}) {
  return {
    dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "no_robots, tulu3, or a .jsonl file of {messages:[…]} conversations; None = bundled conversations.jsonl locally, no_robots remotely",
      ),
    test_size: nonNegInt()
      .nullable()
      .default(null)
      .describe("Rows of a .jsonl dataset held out for test/nll; None = 8 for the bundled file, else 0"),
    shuffle_seed: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe("Seed of the .jsonl dataset's initial shuffle"),
    ...datasetLoopFields({
      learning_rate: d.learning_rate,
      eval_every: d.eval_every,
      max_length: d.max_length,
      batch_size: `Sequences per step; None = 8 locally, ${d.batch_size_remote} remotely`,
    }),
    train_on_what: TrainOnWhat.nullable()
      .default(null)
      .describe("Which tokens get loss weight; None = the dataset's default (all_assistant_messages)"),
    submit_ahead: nonNegInt().default(1).describe("Batches enqueued ahead of the one being awaited"),
    ...inlineEvalFields(),
  };
}

export const slBasicSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL),
    ...commonFields(),
    ...slTrainFields({ learning_rate: 2e-4, eval_every: 8, batch_size_remote: 128, max_length: 32768 }),
    ...checkpointFields(20),
  })
  .strict();
export type SlBasicConfig = z.output<typeof slBasicSchema>;

/** Dataset resolution shared with chat_sl: named HF datasets need the hub (remote runs), files must exist. */
export function resolveSlDataset(
  cfg: { dataset: string | null; test_size: number | null },
  backend: "local" | "remote",
) {
  const bundled = bundledData(CONVERSATIONS_FILE);
  const dataset = cfg.dataset ?? (backend === "local" ? bundled : "no_robots");
  if (dataset.endsWith(".jsonl")) {
    checkFileExists(dataset, "dataset");
    return { dataset, test_size: cfg.test_size ?? (dataset === bundled ? 8 : 0) };
  }
  if (dataset !== "no_robots" && dataset !== "tulu3") {
    throw new ConfigError(
      `dataset=${dataset}: expected no_robots, tulu3 or a path ending in .jsonl`,
      "dataset",
    );
  }
  return { dataset, test_size: cfg.test_size ?? 0 };
}

export const slBasic = defineRecipe({
  name: "sl_basic",
  summary:
    "Supervised fine-tuning on chat conversations (bundled conversations.jsonl locally, NoRobots remotely)",
  description:
    "Supervised fine-tuning with the SL loop: per-datum mean cross-entropy on assistant tokens, linear LR decay, " +
    "test/nll every eval_every steps, checkpoints every save_every steps and at the end. Mirrors the cookbook's sl_basic.",
  schema: slBasicSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    const ds = resolveSlDataset(cfg, backend);
    await checkHubInputs(ds.dataset, model_name, backend);
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      ...ds,
      batch_size: cfg.batch_size ?? (backend === "local" ? 8 : 128),
      train_on_what: cfg.train_on_what ?? "all_assistant_messages",
      log_path: cfg.log_path ?? "/tmp/tinker-examples/sl_basic",
    };
  },
  async run(cfg, ctx) {
    const { runSupervised } = await import("../common/run-supervised.js");
    return runSupervised({ ...cfg, recipe_name: "recipe_sl_basic" }, ctx);
  },
});
