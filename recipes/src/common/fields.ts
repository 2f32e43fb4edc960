// Config fields shared by the recipes, with the cookbook's names and defaults, plus `backend`.
import { z } from "zod";
import { LogDirBehavior } from "../cli/log-dir.js";

export const BackendChoice = z.enum(["auto", "local", "remote"]);
export type BackendChoice = z.infer<typeof BackendChoice>;

export const TrainOnWhat = z.enum([
  "last_assistant_message",
  "last_assistant_turn",
  "all_assistant_messages",
  "all_messages",
  "all_tokens",
  "all_user_and_system_messages",
  "customized",
]);
export type TrainOnWhat = z.infer<typeof TrainOnWhat>;

export const LrSchedule = z.enum(["linear", "cosine", "constant"]);
export const RlLossFn = z.enum(["importance_sampling", "ppo", "cispo", "dro"]);

const posInt = () => z.number().int().positive();
const nonNegInt = () => z.number().int().nonnegative();

/** Fields every recipe has (the cookbook's CLIConfig common part). */
export function commonFields() {
  return {
    backend: BackendChoice.default("auto").describe(
      "Tinker backend: local = embedded engine, remote = TINKER_BASE_URL / hosted service; auto = remote iff TINKER_API_KEY or TINKER_BASE_URL is set",
    ),
    base_url: z
      .string()
      .nullable()
      .default(null)
      .describe("Tinker server URL for backend=remote (else TINKER_BASE_URL)"),
    log_path: z
      .string()
      .nullable()
      .default(null)
      .describe("Run directory; None = generated under /tmp/tinker-examples/<recipe>/"),
    behavior_if_log_dir_exists: LogDirBehavior.default("ask").describe(
      "If log_path exists: delete, resume, ask (interactive only) or raise; also --if-exists=",
    ),
    load_checkpoint_path: z
      .string()
      .nullable()
      .default(null)
      .describe("tinker:// path of weights to start from (fresh optimizer)"),
    renderer_name: z
      .string()
      .nullable()
      .default(null)
      .describe("Chat renderer; None = the model's recommended renderer"),
    wandb_project: z
      .string()
      .nullable()
      .default(null)
      .describe("Weights & Biases project (needs WANDB_API_KEY)"),
    wandb_name: z.string().nullable().default(null).describe("Weights & Biases run name"),
    max_steps: posInt().nullable().default(null).describe("Stop after this many steps (None = full dataset)"),
  };
}

export function modelField(remoteDefault: string, what = "Model to train") {
  return z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(`${what}; None = crucible/tiny-qwen3 on the local backend, ${remoteDefault} remotely`);
}

/** Checkpoint cadence fields of the SL/DPO loops (`train.Config`). */
export function checkpointFields(saveEvery: number) {
  return {
    save_every: nonNegInt().default(saveEvery).describe("Save a checkpoint every N steps (0 = never)"),
    ttl_seconds: posInt()
      .nullable()
      .default(604800)
      .describe("Lifetime of periodic checkpoints on the service"),
    rolling_save_every: nonNegInt()
      .default(0)
      .describe("Rolling (overwritten) state checkpoint every N steps"),
    rolling_ttl_seconds: posInt().default(7200).describe("Lifetime of rolling checkpoints"),
  };
}

/**
 * Fields of the loops that train on a fixed dataset, SL (`supervised/train.Config`) and DPO
 * (`preference/train_dpo.Config`), with the recipe's defaults; `batch_size` says what a batch holds.
 */
export function datasetLoopFields(d: {
  learning_rate: number;
  eval_every: number;
  max_length: number;
  batch_size: string;
}) {
  return {
    batch_size: posInt().nullable().default(null).describe(d.batch_size),
    max_length: posInt().default(d.max_length).describe("Truncate each datum to this many tokens"),
    learning_rate: z.number().positive().default(d.learning_rate).describe("Adam learning rate"),
    lr_schedule: LrSchedule.default("linear").describe("Learning-rate multiplier over the run"),
    num_epochs: posInt().default(1).describe("Passes over the training set"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    eval_every: nonNegInt().default(d.eval_every).describe("Run test/nll every N steps (0 = never)"),
    infrequent_eval_every: nonNegInt().default(100).describe("Run infrequent evaluators every N steps"),
    ...adamFields(),
  };
}

export function adamFields() {
  return {
    adam_beta1: z.number().min(0).max(1).default(0.9).describe("Adam beta1"),
    adam_beta2: z.number().min(0).max(1).default(0.95).describe("Adam beta2"),
    adam_eps: z.number().positive().default(1e-8).describe("Adam epsilon"),
  };
}

export { nonNegInt, posInt };
