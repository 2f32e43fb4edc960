// Shared by the multi-turn game recipes (guess_number, twenty_questions; cookbook recipes/multiplayer_rl): their
// config fields and the episode limits they pass to every env.
import type { RolloutLimits } from "@crucible/env";
import { z } from "zod";
import type { ResolvedExtras } from "../recipe.js";
import { commonFields, modelField, nonNegInt, posInt } from "./fields.js";
import { everyEvalFields, type InlineEvalConfig } from "./inline-evals.js";
import { resolveRenderer } from "./resolve.js";

export interface GameDefaults {
  remoteModel: string;
  remoteBatchSize: number;
  maxTokens: number;
  maxTurns: number;
  testGroupSize: number;
}

/** The cookbook CLIConfig fields of a multiplayer_rl recipe, plus the episode limits. */
export function gameFields(d: GameDefaults) {
  return {
    model_name: modelField(d.remoteModel),
    ...commonFields(),
    group_size: posInt().default(8).describe("Games per target (advantages are centred within a group)"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe(
        `Groups (targets) per step; None = ${d.remoteBatchSize} remotely (the cookbook's), 2 locally`,
      ),
    learning_rate: z.number().positive().default(3e-5).describe("Adam learning rate (constant)"),
    max_tokens: posInt().default(d.maxTokens).describe("Max sampled tokens per turn"),
    eval_every: nonNegInt()
      .default(5)
      .describe("Play the held-out test games (and the evals= benchmarks) every N steps (0 = never)"),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    test_group_size: posInt().default(d.testGroupSize).describe("Games per held-out target in the test set"),
    max_turns: posInt()
      .default(d.maxTurns)
      .describe(
        "Turns (policy replies) per episode; the game is lost when they run out (the cookbook's cap)",
      ),
    max_trajectory_tokens: posInt()
      .nullable()
      .default(null)
      .describe(
        "Tokens per episode (prompts, replies and env turns); each turn samples at most what is left (None = no cap)",
      ),
    max_sampled_tokens: posInt()
      .nullable()
      .default(null)
      .describe("Policy tokens per episode, summed over turns (None = no cap)"),
    ...everyEvalFields(),
  };
}

export interface GameConfig extends ResolvedExtras, InlineEvalConfig {
  backend: "auto" | "local" | "remote";
  base_url: string | null;
  model_name: string | null;
  renderer_name: string | null;
  log_path: string | null;
  load_checkpoint_path: string | null;
  wandb_project: string | null;
  wandb_name: string | null;
  max_steps: number | null;
  group_size: number;
  batch_size: number | null;
  learning_rate: number;
  max_tokens: number;
  eval_every: number;
  save_every: number;
  lora_rank: number;
  test_group_size: number;
  max_turns: number;
  max_trajectory_tokens: number | null;
  max_sampled_tokens: number | null;
}

/** The per-episode limits of a resolved config. */
export function gameLimits(c: GameConfig): RolloutLimits {
  const limits: RolloutLimits = { maxTurns: c.max_turns };
  if (c.max_trajectory_tokens !== null) limits.maxTrajectoryTokens = c.max_trajectory_tokens;
  if (c.max_sampled_tokens !== null) limits.maxSampledTokens = c.max_sampled_tokens;
  return limits;
}

/** `gameRendererName` and whether the user gave it, to spread into a resolved config (see resolveRendererChoice). */
export async function gameRendererChoice(
  name: string | null,
  model: string,
): Promise<{ renderer_name: string; renderer_name_given: boolean }> {
  return { renderer_name: await gameRendererName(name, model), renderer_name_given: name !== null };
}

/**
 * The cookbook's renderer for the multiplayer_rl models when none is named: Qwen3.5/3.6 and Qwen3 without thinking
 * (its CLIConfig default `qwen3_5_disable_thinking`, and twenty_questions' answerer rule), else the recommended one.
 */
export async function gameRendererName(
  name: string | null,
  model: string,
  field = "renderer_name",
): Promise<string> {
  if (name === null && (model.startsWith("Qwen/Qwen3.5") || model.startsWith("Qwen/Qwen3.6")))
    return "qwen3_5_disable_thinking";
  if (name === null && model.startsWith("Qwen/Qwen3")) return "qwen3_disable_thinking";
  return resolveRenderer(name, model, field);
}
