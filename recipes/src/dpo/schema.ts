// dpo config schema: the keys `crucible run dpo` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import {
  checkpointFields,
  commonFields,
  datasetLoopFields,
  modelField,
  nonNegInt,
} from "../common/fields.js";
import { inlineEvalFields } from "../common/inline-evals.js";

export const REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";

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
    ...datasetLoopFields({
      learning_rate: 1e-5,
      eval_every: 10,
      max_length: 8192,
      batch_size: "Comparisons per step; None = 8 locally, 256 remotely",
    }),
    dpo_beta: z.number().positive().default(0.1).describe("DPO beta (strength of the KL to the reference)"),
    reference_model_name: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Accepted for compatibility; unused (as in the cookbook): the reference is the initial policy",
      ),
    ...inlineEvalFields(),
    ...checkpointFields(20),
  })
  .strict();
export type DpoConfig = z.output<typeof dpoSchema>;
