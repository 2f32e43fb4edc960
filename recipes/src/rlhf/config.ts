// rlhf: the three-stage RLHF pipeline (cookbook recipes/preference/rlhf/rlhf_pipeline.py): SFT the policy, train a
// reward model on comparisons, then RL the SFT policy against the reward model with pairwise preference envs.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE, RLHF_COMPARISONS_FILE } from "../common/data.js";
import { commonFields, nonNegInt, posInt } from "../common/fields.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRenderer,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { checkHubInputs } from "../sl_basic/config.js";

export const RLHF_REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";
/** Locally the byte-level tiny model: its 320-token vocabulary makes reward-model training fast enough on a CPU. */
export const RLHF_LOCAL_MODEL = "crucible/tiny-bytes";
const COMPARISON_SETS = ["hhh", "helpsteer3", "ultrafeedback"] as const;

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
    eval_every: nonNegInt().default(20).describe("Evaluate every N steps (0 = never)"),
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
  })
  .strict();
export type RlhfConfig = z.output<typeof rlhfSchema>;

/** The stage directories under the run root. */
export function stageDirs(root: string) {
  return { sft: join(root, "sft"), rm: join(root, "rm"), rl: join(root, "rl") };
}

export const rlhf = defineRecipe({
  name: "rlhf",
  summary: "RLHF pipeline: SFT the policy, train a reward model on comparisons, RL against it",
  description:
    "Stage 1 SFT (NoRobots; bundled conversations locally). Stage 2 reward model: each comparison is rendered as " +
    "prompt, '==== Completion A ====', A, '==== Completion B ====', B, '==== Preference ====' and the model learns " +
    "to answer A or B (test/nll and test/pairwise_accuracy on held-out comparisons). Stage 3 RL from the SFT " +
    "checkpoint: rl_group_size answers per prompt judged pairwise by the reward model, reward = mean win-minus-loss " +
    "+ (stop-sequence ending - 1); test/win_rate against the held-out reference answers. Mirrors the cookbook's " +
    "preference/rlhf CLIConfig (HHH comparisons remotely; a bundled shorter-is-better set locally).",
  schema: rlhfSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const base_model = resolveModel(
      cfg.base_model ?? (backend === "local" ? RLHF_LOCAL_MODEL : RLHF_REMOTE_MODEL),
      backend,
      RLHF_REMOTE_MODEL,
      "base_model",
    );
    const renderer_name = await resolveRenderer(cfg.renderer_name, base_model);
    if (!cfg.run_sft && !cfg.run_rm && !cfg.run_rl)
      throw new ConfigError("run_sft, run_rm and run_rl are all false: nothing to run", "run_rl");
    const sft_dataset =
      cfg.sft_dataset ?? (backend === "local" ? bundledData(CONVERSATIONS_FILE) : "no_robots");
    if (sft_dataset.endsWith(".jsonl")) checkFileExists(sft_dataset, "sft_dataset");
    else if (sft_dataset !== "no_robots")
      throw new ConfigError(
        `sft_dataset=${sft_dataset}: expected no_robots or a path ending in .jsonl`,
        "sft_dataset",
      );
    const comparisons = cfg.comparisons ?? (backend === "local" ? bundledData(RLHF_COMPARISONS_FILE) : "hhh");
    if (comparisons.endsWith(".jsonl")) checkFileExists(comparisons, "comparisons");
    else if (!(COMPARISON_SETS as readonly string[]).includes(comparisons))
      throw new ConfigError(
        `comparisons=${comparisons}: expected ${COMPARISON_SETS.join(", ")} or a path ending in .jsonl`,
        "comparisons",
      );
    if (cfg.run_sft) await checkHubInputs(sft_dataset, base_model, backend);
    if (cfg.run_rm || cfg.run_rl) await checkHubInputs(comparisons, base_model, backend);
    const log_path = cfg.log_path ?? `/tmp/tinker-examples/rlhf-${cfg.short_name}`;
    // Stage 3 starts from stages 1 and 2: a stage that is skipped must have left its checkpoint behind.
    const dirs = stageDirs(log_path);
    if (cfg.run_rl && !cfg.run_sft && !existsSync(join(dirs.sft, "checkpoints.jsonl")))
      throw new ConfigError(
        `run_sft=false but no SFT checkpoint in ${dirs.sft}; run stage 1 first`,
        "run_sft",
      );
    if (cfg.run_rl && !cfg.run_rm && !existsSync(join(dirs.rm, "checkpoints.jsonl")))
      throw new ConfigError(
        `run_rm=false but no reward-model checkpoint in ${dirs.rm}; run stage 2 first`,
        "run_rm",
      );
    return {
      ...cfg,
      backend,
      base_model,
      renderer_name,
      sft_dataset,
      comparisons,
      batch_size: cfg.batch_size ?? (backend === "local" ? 8 : 256),
      log_path,
    };
  },
  async run(cfg, ctx) {
    const { runRlhf } = await import("./run.js");
    return runRlhf(cfg, ctx);
  },
});
