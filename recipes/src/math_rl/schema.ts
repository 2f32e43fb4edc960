// math_rl config schema: the keys `crucible run math_rl` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt, RlLossFn } from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";

export const REMOTE_MODEL = "Qwen/Qwen3.5-9B";

export const mathRlSchema = z
  .object({
    model_name: modelField(REMOTE_MODEL),
    ...commonFields(),
    env: z
      .enum(["arithmetic", "math", "gsm8k", "polaris", "deepmath"])
      .default("arithmetic")
      .describe("Problem set"),
    data_dir: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Directory with train*.jsonl|parquet (and test* for gsm8k/math) for env=gsm8k|math|polaris|deepmath; None = the HF cache",
      ),
    seed: z.number().int().nonnegative().default(0).describe("Data shuffling seed"),
    group_size: posInt().default(4).describe("Samples per problem (advantages are centred within a group)"),
    groups_per_batch: posInt()
      .nullable()
      .default(null)
      .describe("Problems per step; None = 8 locally, 100 remotely"),
    learning_rate: z.number().positive().default(1e-5).describe("Adam learning rate (constant)"),
    max_tokens: posInt().default(5).describe("Max sampled tokens per answer"),
    temperature: z.number().positive().default(1.0).describe("Sampling temperature"),
    kl_penalty_coef: z
      .number()
      .nonnegative()
      .default(0)
      .describe("KL penalty to the base model (needs a reference; 0 = off)"),
    num_substeps: posInt().default(1).describe("Optimizer steps per batch"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    compute_post_kl: z
      .boolean()
      .default(false)
      .describe("Log KL between the sampler before and after each update"),
    eval_every: nonNegInt().default(20).describe("Evaluate on the test set every N steps (0 = never)"),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    max_steps_off_policy: nonNegInt()
      .nullable()
      .default(null)
      .describe("Async mode: max staleness of a rollout in steps (0 allowed; None = sync)"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
    stream_minibatch_config: z
      .object({
        groups_per_batch: posInt().describe(
          "Groups per batch across all substeps and minibatches (must equal groups_per_batch)",
        ),
        num_minibatches: posInt().describe("Minibatches (forward_backward calls) per optimizer substep"),
      })
      .strict()
      .nullable()
      .default(null)
      .describe(
        "Streaming minibatches: train on each minibatch as soon as its groups are sampled (on-policy; None = off)",
      ),
    loss_fn: RlLossFn.default("importance_sampling").describe("Policy-gradient loss"),
    loss_fn_config: z
      .record(z.string(), z.number())
      .nullable()
      .default(null)
      .describe('Loss options as JSON, e.g. {"clip_low_threshold":0.8}'),
    n_batches: posInt().default(100).describe("Batches in the arithmetic dataset"),
    eval_benchmark: z
      .enum(["arithmetic", "gsm8k", "math500"])
      .nullable()
      .default(null)
      .describe(
        "Held-out benchmark evaluated greedily every eval_every steps (logged as bench/<name>/accuracy)",
      ),
    eval_problems: posInt().default(50).describe("Problems of eval_benchmark"),
    ...everyEvalFields(),
    include_fewshot: z.boolean().default(true).describe("Arithmetic: prepend the 4 + 5 = 9 example"),
  })
  .strict();
export type MathRlConfig = z.output<typeof mathRlSchema>;
