// shorter config schema: the keys `crucible run shorter` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";

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
      .describe("Run the evals= benchmarks every N steps (0 = never; shorter has no test set)"),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
    ...everyEvalFields(),
  })
  .strict();
export type ShorterConfig = z.output<typeof shorterSchema>;
