// distillation: on-policy distillation from a teacher (cookbook distillation/train_on_policy.py) and
// off-policy reasoning SFT on teacher traces (recipes/distillation/off_policy_reasoning.py).
import { basename } from "node:path";
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE } from "../common/data.js";
import { commonFields, LrSchedule, modelField, nonNegInt, posInt, RlLossFn } from "../common/fields.js";
import { checkHubDataset, checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists, everyEvalFields } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

const REMOTE_STUDENT = "Qwen/Qwen3.5-9B-Base";
const REMOTE_TEACHER = "Qwen/Qwen3.5-9B";

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

export const distillation = defineRecipe({
  name: "distillation",
  summary:
    "On-policy distillation from a teacher (reverse-KL advantages) or off-policy SFT on teacher traces",
  description:
    "mode=on_policy: the student samples answers, the teacher scores them, advantages = -kl_penalty_coef * (student - teacher) " +
    "logprobs per token (rewards are 0); logs teacher_kl. mode=off_policy: supervised fine-tuning on teacher-written " +
    "conversations (the cookbook's off_policy_reasoning). Mirrors the cookbook's distillation CLIConfigs.",
  schema: distillationSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_STUDENT);
    const on = cfg.mode === "on_policy";
    const local = backend === "local";
    // Off-policy reasoning SFT renders with qwen3_5 on the hosted default model, as the cookbook's recipe does.
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(
      cfg.renderer_name,
      model_name,
      on || local ? null : "qwen3_5",
    );
    const dataset =
      cfg.dataset ?? (local ? bundledData(CONVERSATIONS_FILE) : on ? "deepmath" : "openthoughts3");
    if (dataset.endsWith(".jsonl")) checkFileExists(dataset, "dataset");
    else if (on ? !["deepmath", "tulu3"].includes(dataset) : dataset !== "openthoughts3") {
      throw new ConfigError(
        `dataset=${dataset}: expected ${on ? "deepmath, tulu3" : "openthoughts3"} or a path ending in .jsonl`,
        "dataset",
      );
    }
    // Named datasets: in the HF cache, else listed on the hub (on either backend); fetched or streamed at run time.
    if (!dataset.endsWith(".jsonl")) await checkHubDataset(dataset);
    if (!local) await checkHubTokenizer(model_name);
    // Locally the default teacher is the larger built-in model with the student's tokenizer.
    const localTeacher = model_name === "crucible/tiny-qwen3" ? "crucible/tiny-qwen3-large" : model_name;
    const teacher_model = on
      ? resolveModel(
          cfg.teacher_model ?? (local ? localTeacher : REMOTE_TEACHER),
          backend,
          REMOTE_TEACHER,
          "teacher_model",
        )
      : null;
    const learning_rate = cfg.learning_rate ?? (on ? 1e-4 : 1e-3);
    const groups_per_batch = cfg.groups_per_batch ?? (local ? 4 : 1024);
    const batch_size = cfg.batch_size ?? (local ? 8 : 128);
    const ds = dataset.endsWith(".jsonl") ? basename(dataset, ".jsonl") : dataset;
    const name = on
      ? `distill-${ds}-${modelSlug(model_name)}-${cfg.lora_rank}rank-${pyFloatStr(learning_rate)}lr-${groups_per_batch}batch-${runDate()}`
      : `sft-${ds}-${modelSlug(model_name)}-${cfg.lora_rank}rank-${pyFloatStr(learning_rate)}lr-${batch_size}batch-${runDate()}`;
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      dataset,
      teacher_model,
      learning_rate,
      groups_per_batch,
      batch_size,
      max_tokens: cfg.max_tokens ?? (local ? 32 : 4096),
      eval_every: cfg.eval_every ?? (on ? 20 : 50),
      save_every: cfg.save_every ?? (on ? 20 : 50),
      log_path: cfg.log_path ?? `/tmp/tinker-examples/distillation/${name}`,
    };
  },
  async run(cfg, ctx) {
    const { runDistillation } = await import("./run.js");
    return runDistillation(cfg, ctx);
  },
});
