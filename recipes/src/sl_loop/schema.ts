// sl_loop config schema: the keys `crucible run sl_loop` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt, TrainOnWhat } from "../common/fields.js";

export const SL_LOOP_REMOTE_MODEL = "meta-llama/Llama-3.1-8B";

export const slLoopSchema = z
  .object({
    model_name: modelField(SL_LOOP_REMOTE_MODEL),
    ...commonFields(),
    dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "no_robots or a .jsonl file of {messages:[…]} conversations; None = bundled conversations.jsonl locally, no_robots remotely",
      ),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("Conversations per step; None = 8 locally, 128 (the cookbook default) remotely"),
    learning_rate: z
      .number()
      .positive()
      .default(1e-4)
      .describe("Peak Adam learning rate (linear decay to 0)"),
    max_length: posInt().default(32768).describe("Truncate each datum to this many tokens"),
    train_on_what: TrainOnWhat.default("all_assistant_messages").describe("Which tokens get loss weight"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    save_every: nonNegInt().default(20).describe("Save a state checkpoint every N steps (0 = never)"),
  })
  .strict();
export type SlLoopConfig = z.output<typeof slLoopSchema>;
