// rlhf config schema: the keys `crucible run rlhf` accepts and their defaults. Kept apart from
// config.ts (the recipe) so that the runner, which config.ts loads lazily, imports the config type without
// an import cycle.
import { join } from "node:path";
import { z } from "zod";
import { commonFields, nonNegInt, posInt } from "../common/fields.js";
import { everyEvalFields } from "../common/inline-evals.js";

export const RLHF_REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";
/** Locally the byte-level tiny model: its 320-token vocabulary makes reward-model training fast enough on a CPU. */
export const RLHF_LOCAL_MODEL = "crucible/tiny-bytes";

const { load_checkpoint_path: _unused, ...common } = commonFields();
const stepsField = (stage: string) =>
  posInt()
    .nullable()
    .default(null)
    .describe(`Stop the ${stage} stage after this many steps (None = max_steps)`);

export const rlhfSchema = z
  .object({
    base_model: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        `Policy and reward model base; None = ${RLHF_LOCAL_MODEL} locally, ${RLHF_REMOTE_MODEL} remotely`,
      ),
    short_name: z
      .string()
      .min(1)
      .default("qwen3_5_9b_base")
      .describe("Run name: log_path defaults to rlhf-<short_name>"),
    ...common,
    log_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Root of the three stage dirs (sft/, rm/, rl/); None = /tmp/tinker-examples/rlhf-<short_name>",
      ),
    wandb_name: z
      .string()
      .nullable()
      .default("rlhf")
      .describe("W&B run name prefix (-sft, -rm, -rl appended)"),
    run_sft: z.boolean().default(true).describe("Run stage 1: SFT of the policy"),
    run_rm: z.boolean().default(true).describe("Run stage 2: reward model training on comparisons"),
    run_rl: z.boolean().default(true).describe("Run stage 3: RL of the SFT policy against the reward model"),
    lora_rank: posInt().default(64).describe("LoRA rank (all stages)"),
    max_length: posInt()
      .default(16384)
      .describe("Truncate SFT and reward-model sequences to this many tokens"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe("Sequences (SFT, RM) / prompts (RL) per step; None = 256 remotely, 8 locally"),
    sft_learning_rate: z.number().positive().default(2e-4).describe("SFT learning rate (linear decay)"),
    rm_learning_rate: z
      .number()
      .positive()
      .default(3e-4)
      .describe("Reward-model learning rate (linear decay)"),
    rl_learning_rate: z.number().positive().default(1e-5).describe("RL learning rate (constant)"),
    rl_max_tokens: posInt()
      .default(1024)
      .describe("Max sampled tokens per RL answer (and per evaluated answer)"),
    rl_group_size: posInt().default(4).describe("Answers per prompt, played against each other"),
    save_every: nonNegInt().default(100).describe("Save a checkpoint every N steps (0 = never)"),
    eval_every: nonNegInt()
      .default(20)
      .describe("Evaluate every N steps, in every stage (0 = never); the evals= benchmarks run in stage 3"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("RL groups whose transcripts are written per iteration"),
    sft_dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Stage 1 conversations: no_robots or a .jsonl; None = bundled conversations.jsonl locally, no_robots remotely",
      ),
    comparisons: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Stages 2-3 comparisons: hhh, helpsteer3, ultrafeedback or a .jsonl; None = bundled rlhf_comparisons.jsonl locally, hhh remotely",
      ),
    test_size: posInt()
      .default(32)
      .describe("Comparisons of a .jsonl held out (RM pairwise accuracy, RL win rate)"),
    rm_num_epochs: posInt().default(1).describe("Passes of the reward model over the training comparisons"),
    rm_swap: z
      .boolean()
      .default(false)
      .describe(
        "Train the reward model on both A/B orders of every comparison (else one order, swapped at random)",
      ),
    sft_max_steps: stepsField("SFT"),
    rm_max_steps: stepsField("reward-model"),
    rl_max_steps: stepsField("RL"),
    ...everyEvalFields(),
  })
  .strict();
export type RlhfConfig = z.output<typeof rlhfSchema>;

/** The stage directories under the run root. */
export function stageDirs(root: string) {
  return { sft: join(root, "sft"), rm: join(root, "rm"), rl: join(root, "rl") };
}
