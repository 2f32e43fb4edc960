// chat_sl: chat SFT on NoRobots, Tulu3 or a JSONL file (cookbook recipes/chat_sl/train.py).
import { basename } from "node:path";
import { z } from "zod";
import { checkpointFields, commonFields, modelField } from "../common/fields.js";
import { checkHubInputs } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { REMOTE_MODEL, resolveSlDataset, slTrainFields } from "../sl_basic/config.js";

export const chatSlSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL),
    ...commonFields(),
    ...slTrainFields({ learning_rate: 1e-4, eval_every: 20, batch_size_remote: 256, max_length: 16384 }),
    ...checkpointFields(20),
  })
  .strict();
export type ChatSlConfig = z.output<typeof chatSlSchema>;

/** `{dataset}-{model}-{rank}rank-{lr}lr-{batch}batch-{date}`; a file dataset contributes its base name. */
export function chatSlRunName(
  c: { dataset: string; model_name: string; lora_rank: number; learning_rate: number; batch_size: number },
  d = new Date(),
) {
  const ds = c.dataset.endsWith(".jsonl") ? basename(c.dataset, ".jsonl") : c.dataset;
  return `${ds}-${modelSlug(c.model_name)}-${c.lora_rank}rank-${pyFloatStr(c.learning_rate)}lr-${c.batch_size}batch-${runDate(d)}`;
}

export const chatSl = defineRecipe({
  name: "chat_sl",
  summary: "Chat SFT on NoRobots, Tulu3 or a JSONL file; renderer inferred from the model",
  description:
    "Chat supervised fine-tuning with the SL loop. dataset=no_robots|tulu3|<file.jsonl>; train_on_what defaults to " +
    "all_assistant_messages (last_assistant_message for tulu3). Resumes from the last checkpoint with " +
    "behavior_if_log_dir_exists=resume. Mirrors the cookbook's chat_sl CLIConfig.",
  schema: chatSlSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    const ds = resolveSlDataset(cfg, backend);
    await checkHubInputs(ds.dataset, model_name, backend);
    const batch_size = cfg.batch_size ?? (backend === "local" ? 8 : 256);
    const train_on_what =
      cfg.train_on_what ?? (ds.dataset === "tulu3" ? "last_assistant_message" : "all_assistant_messages");
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/chat_sl/${chatSlRunName({ ...cfg, ...ds, model_name, batch_size })}`;
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      ...ds,
      batch_size,
      train_on_what,
      log_path,
    };
  },
  async run(cfg, ctx) {
    const { runSupervised } = await import("../common/run-supervised.js");
    return runSupervised({ ...cfg, recipe_name: "recipe_chat_sl" }, ctx);
  },
});
