// distillation: on-policy distillation from a teacher (cookbook distillation/train_on_policy.py) and
// off-policy reasoning SFT on teacher traces (recipes/distillation/off_policy_reasoning.py).
import { basename } from "node:path";
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE } from "../common/data.js";
import { checkHubDataset, checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { distillationSchema, REMOTE_STUDENT, REMOTE_TEACHER } from "./schema.js";

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
