// rl_loop config schema: the keys `crucible run rl_loop` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";

export const RL_LOOP_REMOTE_MODEL = "meta-llama/Llama-3.1-8B";

export const rlLoopSchema = z
  .object({
    model_name: modelField(RL_LOOP_REMOTE_MODEL),
    ...commonFields(),
    dataset: z
      .enum(["gsm8k", "arithmetic"])
      .nullable()
      .default(null)
      .describe(
        "gsm8k (\\boxed{} answers, the cookbook's) or arithmetic (x + y, bare-number answers); None = arithmetic locally, gsm8k remotely",
      ),
    max_operand: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(20)
      .describe("dataset=arithmetic: operands x, y are drawn from [0, max_operand)"),
    batch_size: posInt().default(128).describe("Problems per step"),
    group_size: posInt().default(16).describe("Samples per problem; rewards are centred within each group"),
    learning_rate: z.number().positive().default(4e-5).describe("Adam learning rate (constant)"),
    max_length: posInt()
      .default(32768)
      .describe("Longest prompt + answer in tokens; longer samples are left out of training"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    save_every: nonNegInt().default(20).describe("Save a state checkpoint every N steps (0 = never)"),
    max_tokens: posInt().default(256).describe("Max tokens per sampled answer"),
  })
  .strict();
export type RlLoopConfig = z.output<typeof rlLoopSchema>;
