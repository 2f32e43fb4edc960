// rl_basic: the cookbook's recipes/rl_basic.py — the RL training library (math_rl's loop) with a basic
// GSM8K config: Qwen3.5-9B-Base, 128 problems × 16 samples, lr 4e-5, 256 tokens, no periodic eval.
import { z } from "zod";
import { modelField, nonNegInt, posInt } from "../common/fields.js";
import { resolveBackend } from "../common/resolve.js";
import { mathRl } from "../math_rl/config.js";
import { mathRlSchema } from "../math_rl/schema.js";
import { defineRecipe } from "../recipe.js";

export const RL_BASIC_REMOTE_MODEL = "Qwen/Qwen3.5-9B-Base";

export const rlBasicSchema = mathRlSchema
  .extend({
    model_name: modelField(RL_BASIC_REMOTE_MODEL),
    env: z
      .enum(["arithmetic", "math", "gsm8k", "polaris", "deepmath"])
      .nullable()
      .default(null)
      .describe("Problem set; None = gsm8k remotely (the cookbook's), arithmetic locally"),
    group_size: posInt().default(16).describe("Samples per problem (advantages are centred within a group)"),
    groups_per_batch: posInt()
      .nullable()
      .default(null)
      .describe("Problems per step; None = 128 remotely (the cookbook's), 8 locally"),
    learning_rate: z.number().positive().default(4e-5).describe("Adam learning rate (constant)"),
    max_tokens: posInt().default(256).describe("Max sampled tokens per answer"),
    eval_every: nonNegInt().default(0).describe("Evaluate on the test set every N steps (0 = never)"),
  })
  .strict();
export type RlBasicConfig = z.output<typeof rlBasicSchema>;

export const rlBasic = defineRecipe({
  name: "rl_basic",
  summary: "Tutorial: the RL training library with a basic GSM8K config (cookbook rl_basic.py)",
  description:
    "The smallest use of the RL training loop: a GSM8K problem set (arithmetic locally), group_size 16, " +
    "128 groups per batch, lr 4e-5, 256 max tokens, no periodic eval. Every math_rl key can be overridden; " +
    "this recipe only changes the defaults to the cookbook's rl_basic.py.",
  schema: rlBasicSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    const resolved = await mathRl.resolve({
      ...cfg,
      backend,
      model_name: cfg.model_name ?? (backend === "remote" ? RL_BASIC_REMOTE_MODEL : null),
      env: cfg.env ?? (backend === "remote" ? "gsm8k" : "arithmetic"),
      groups_per_batch: cfg.groups_per_batch ?? (backend === "remote" ? 128 : 8),
      log_path: cfg.log_path ?? "/tmp/tinker-examples/rl_basic",
    });
    return resolved;
  },
  async run(cfg, ctx) {
    const { runMathRl } = await import("../math_rl/run.js");
    return runMathRl(cfg as never, ctx);
  },
});
