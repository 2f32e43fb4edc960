// shorter: RL from a pairwise preference for the shorter answer (cookbook recipes/preference/shorter/train.py).
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel, resolveRenderer } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

export const SHORTER_REMOTE_MODEL = "Qwen/Qwen3.5-4B";

export const shorterSchema = z
  .object({
    model_name: modelField(SHORTER_REMOTE_MODEL),
    ...commonFields(),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("Prompts (groups) per step; None = 32 remotely (the cookbook's), 4 locally"),
    group_size: posInt()
      .nullable()
      .default(null)
      .describe("Answers per prompt, judged against each other; None = 16 remotely, 4 locally"),
    learning_rate: z.number().positive().default(3e-5).describe("Adam learning rate (constant)"),
    max_tokens: posInt().default(64).describe("Max sampled tokens per answer"),
    eval_every: nonNegInt()
      .default(5)
      .describe("Evaluate every N steps (0 = never; shorter has no test set)"),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
  })
  .strict();
export type ShorterConfig = z.output<typeof shorterSchema>;

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
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, SHORTER_REMOTE_MODEL);
    const renderer_name = await resolveRenderer(
      cfg.renderer_name ??
        (backend === "remote" && cfg.model_name === null ? "qwen3_5_disable_thinking" : null),
      model_name,
    );
    const batch_size = cfg.batch_size ?? (backend === "local" ? 4 : 32);
    const group_size = cfg.group_size ?? (backend === "local" ? 4 : 16);
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/shorter/shorter-${modelSlug(model_name)}-${batch_size}batch-${group_size}group-${pyFloatStr(cfg.learning_rate)}lr-${runDate()}`;
    return { ...cfg, backend, model_name, renderer_name, batch_size, group_size, log_path };
  },
  async run(cfg, ctx) {
    const { runShorter } = await import("./run.js");
    return runShorter(cfg, ctx);
  },
});
