// distillation config schema: the keys `crucible run distillation` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, LrSchedule, modelField, nonNegInt, posInt, RlLossFn } from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";

export const REMOTE_STUDENT = "Qwen/Qwen3.5-9B-Base";
export const REMOTE_TEACHER = "Qwen/Qwen3.5-9B";

export const distillationSchema = z
  .object({
    mode: z
      .enum(["on_policy", "off_policy"])
      .default("on_policy")
      .describe(
        "on_policy: student samples, teacher logprobs give a reverse-KL advantage; off_policy: SFT on teacher-written conversations",
      ),
    model_name: modelField(REMOTE_STUDENT, "Student model"),
    ...commonFields(),
    lora_rank: posInt().default(128).describe("LoRA rank"),
    teacher_model: z
      .string()
      .nullable()
      .default(null)
      .describe(
        `Teacher base model (on_policy); None = crucible/tiny-qwen3-large locally (same tokenizer as tiny-qwen3), ${REMOTE_TEACHER} remotely`,
      ),
    teacher_checkpoint: z
      .string()
      .nullable()
      .default(null)
      .describe("tinker:// sampler or state path of the teacher's weights (on_policy)"),
    dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "on_policy: deepmath, tulu3 or a conversations .jsonl (first user messages are the prompts); off_policy: a conversations .jsonl; None = bundled conversations.jsonl locally",
      ),
    group_size: posInt().default(4).describe("on_policy: samples per prompt"),
    groups_per_batch: posInt()
      .nullable()
      .default(null)
      .describe("on_policy: prompts per step; None = 4 locally, 1024 remotely"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("off_policy: sequences per step; None = 8 locally, 128 remotely"),
    learning_rate: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe("None = 1e-4 on_policy, 1e-3 off_policy"),
    lr_schedule: LrSchedule.default("linear").describe(
      "off_policy: learning-rate multiplier (on_policy is constant)",
    ),
    num_epochs: posInt().default(1).describe("off_policy: passes over the data"),
    max_length: posInt().default(16384).describe("off_policy: truncate each datum to this many tokens"),
    max_tokens: posInt()
      .nullable()
      .default(null)
      .describe("on_policy: max sampled tokens; None = 32 locally, 4096 remotely"),
    max_prompt_tokens: posInt()
      .default(1024)
      .describe("on_policy: prompts are truncated to this many tokens"),
    temperature: z.number().positive().default(1.0).describe("on_policy: sampling temperature"),
    kl_penalty_coef: z
      .number()
      .nonnegative()
      .default(1.0)
      .describe("on_policy: weight of the teacher reverse-KL advantage"),
    kl_discount_factor: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("on_policy: discount of future KL terms"),
    num_substeps: posInt().default(1).describe("on_policy: optimizer steps per batch"),
    buffer_size: posInt()
      .default(128 * 3000)
      .describe("off_policy openthoughts3: rows in the streaming shuffle buffer"),
    max_prompts: posInt()
      .default(128 * 3000)
      .describe("off_policy openthoughts3: rows trained on per epoch (streamed, never downloaded whole)"),
    loss_fn: RlLossFn.default("importance_sampling").describe("on_policy: policy-gradient loss"),
    loss_fn_config: z
      .record(z.string(), z.number())
      .nullable()
      .default(null)
      .describe("on_policy: loss options as JSON"),
    compute_post_kl: z
      .boolean()
      .default(false)
      .describe("on_policy: log KL between samplers before/after each update"),
    eval_every: nonNegInt().nullable().default(null).describe("None = 20 on_policy, 50 off_policy"),
    save_every: nonNegInt().nullable().default(null).describe("None = 20 on_policy, 50 off_policy"),
    ...everyEvalFields(),
  })
  .strict();
export type DistillationConfig = z.output<typeof distillationSchema>;
