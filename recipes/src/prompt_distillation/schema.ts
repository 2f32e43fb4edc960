// prompt_distillation config schema: the keys `crucible run prompt_distillation` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import {
  checkpointFields,
  commonFields,
  LrSchedule,
  modelField,
  nonNegInt,
  posInt,
  TrainOnWhat,
} from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";
import { FINAL_ANSWER_REGEX } from "./prompt.js";

/** The cookbook's model for both roles (teacher and student are the same model there). */
export const REMOTE_MODEL = "Qwen/Qwen3.6-35B-A3B";
/** File name of the teacher's data inside the run directory when file_path is None. */
export const DATA_FILE_NAME = "prompt_distillation_data.jsonl";

export const promptDistillationSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL, "Student model"),
    ...commonFields(),
    file_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        `Conversations .jsonl the student trains on; the teacher writes it first unless it exists; None = <log_path>/${DATA_FILE_NAME}`,
      ),
    teacher_model: z
      .string()
      .nullable()
      .default(null)
      .describe("Teacher base model; None = model_name (the cookbook uses one model for both)"),
    teacher_checkpoint: z
      .string()
      .nullable()
      .default(null)
      .describe("tinker:// sampler (or state) path of the teacher's weights; None = the base weights"),
    system_prompt: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "The long prompt the teacher sees and the student learns to do without; None = the built-in language classifier",
      ),
    prompts_file: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Text file, one prompt per line; None = bundled multilingual.txt (the cookbook's 2100 sentences)",
      ),
    max_prompts: posInt()
      .nullable()
      .default(null)
      .describe("Use the first N prompts; None = all remotely, 64 locally"),
    temperature: z.number().nonnegative().default(0.15).describe("Teacher sampling temperature"),
    max_tokens: posInt()
      .nullable()
      .default(null)
      .describe("Max tokens per teacher reply; None = 1000 remotely, 32 locally"),
    answer_regex: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Regex whose first group (else whole match) is the answer kept; replies without a match are dropped. None = " +
          `'${FINAL_ANSWER_REGEX}' remotely with the built-in prompt, else the whole reply ('[\\s\\S]*' keeps it always)`,
      ),
    learning_rate: z.number().positive().default(1e-4).describe("Adam learning rate"),
    lr_schedule: LrSchedule.default("linear").describe("Learning-rate multiplier over the run"),
    num_epochs: posInt().default(4).describe("Passes over the teacher's data"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    eval_every: nonNegInt().default(5).describe("Run evaluators every N steps (0 = never)"),
    train_on_what: TrainOnWhat.default("all_assistant_messages").describe("Which tokens get loss weight"),
    max_length: posInt().default(32768).describe("Truncate each datum to this many tokens"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("Conversations per step; None = 8 locally, 128 remotely"),
    ...checkpointFields(20),
    ...everyEvalFields(),
  })
  .strict();
export type PromptDistillationConfig = z.output<typeof promptDistillationSchema>;
