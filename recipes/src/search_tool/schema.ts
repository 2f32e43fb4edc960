// search_tool config schema: the keys `crucible run search_tool` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";

export const SEARCH_TOOL_REMOTE_MODEL = "Qwen/Qwen3-4B-Instruct-2507";
/** Minibatches per substep when stream_minibatch is on (fixed in the cookbook too). */
export const STREAM_NUM_MINIBATCHES = 4;

export const searchToolSchema = z
  .object({
    model_name: modelField(SEARCH_TOOL_REMOTE_MODEL),
    ...commonFields(),
    corpus_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Documents to index (.jsonl/.json/.parquet rows with text, optional title and id); None = bundled",
      ),
    questions_path: z
      .string()
      .nullable()
      .default(null)
      .describe("Questions (rows with question and answer: a string or a list); None = bundled"),
    seed: z.number().int().nonnegative().default(2).describe("Question shuffling seed"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe(
        "Questions (groups) per step; None = 4 locally, 512 remotely, at most the number of questions",
      ),
    group_size: posInt().default(8).describe("Episodes per question (advantages are centred within a group)"),
    learning_rate: z.number().positive().default(4e-5).describe("Adam learning rate (constant)"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    max_tokens: posInt().default(1024).describe("Max sampled tokens per turn"),
    max_trajectory_tokens: posInt()
      .default(8 * 1024)
      .describe("An episode whose next prompt would be longer ends with reward 0"),
    n_results: posInt().default(3).describe("Documents the search tool returns per query"),
    max_num_calls: posInt()
      .default(4)
      .describe("Tool calls allowed per episode; one more ends it with reward 0"),
    format_coef: z.number().nonnegative().default(0.1).describe("reward = format_coef*(format-1) + correct"),
    stream_minibatch: z
      .boolean()
      .default(false)
      .describe(`Stream ${STREAM_NUM_MINIBATCHES} minibatches per step (train as groups arrive; on-policy)`),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
    eval_every: nonNegInt()
      .default(10)
      .describe("Run the evals= benchmarks every N steps (0 = never; search_tool has no test set)"),
    ...everyEvalFields(),
  })
  .strict();
export type SearchToolConfig = z.output<typeof searchToolSchema>;
