// rl_loop: the minimal RL loop, with the cookbook's recipes/rl_loop.py Config fields and defaults.
import { z } from "zod";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";
import { checkRemote, resolveBackend, resolveModel, resolveRendererChoice } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

export const RL_LOOP_REMOTE_MODEL = "meta-llama/Llama-3.1-8B";

export const rlLoopSchema = z
  .object({
    model_name: modelField(RL_LOOP_REMOTE_MODEL),
    ...commonFields(),
    dataset: z
      .enum(["gsm8k", "arithmetic"])
      .nullable()
      .default(null)
      .describe(
        "gsm8k (\\boxed{} answers, the cookbook's) or arithmetic (x + y, bare-number answers); None = arithmetic locally, gsm8k remotely",
      ),
    max_operand: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(20)
      .describe("dataset=arithmetic: operands x, y are drawn from [0, max_operand)"),
    batch_size: posInt().default(128).describe("Problems per step"),
    group_size: posInt().default(16).describe("Samples per problem; rewards are centred within each group"),
    learning_rate: z.number().positive().default(4e-5).describe("Adam learning rate (constant)"),
    max_length: posInt()
      .default(32768)
      .describe("Longest prompt + answer in tokens; longer samples are left out of training"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    save_every: nonNegInt().default(20).describe("Save a state checkpoint every N steps (0 = never)"),
    max_tokens: posInt().default(256).describe("Max tokens per sampled answer"),
  })
  .strict();
export type RlLoopConfig = z.output<typeof rlLoopSchema>;

export const rlLoop = defineRecipe({
  name: "rl_loop",
  summary:
    "Tutorial: the minimal RL loop (sample groups, centre rewards, importance sampling) on GSM8K or sums",
  description:
    "A flat RL loop without the training library: save weights for the sampler, sample group_size answers per " +
    "problem, reward 1 for a correct answer, advantage = reward − group mean, one importance_sampling step per " +
    "batch, log reward/total. Mirrors the cookbook's recipes/rl_loop.py; read recipes/src/rl_loop/loop.ts.",
  schema: rlLoopSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, RL_LOOP_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      dataset: cfg.dataset ?? (backend === "local" ? "arithmetic" : "gsm8k"),
      log_path: cfg.log_path ?? "/tmp/tinker-examples/rl-loop",
    };
  },
  async run(cfg, ctx) {
    const { runRlLoop } = await import("./loop.js");
    return runRlLoop(cfg, ctx);
  },
});
