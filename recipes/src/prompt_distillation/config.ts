// prompt_distillation: a teacher with a long system prompt writes answers; the student is fine-tuned on them without
// the prompt (cookbook recipes/prompt_distillation/create_data.py + train.py, one run here).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../cli/errors.js";
import { bundledData, MULTILINGUAL_FILE } from "../common/data.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRenderer,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { FINAL_ANSWER_REGEX } from "./prompt.js";
import { DATA_FILE_NAME, promptDistillationSchema, REMOTE_MODEL } from "./schema.js";

function checkRegex(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new ConfigError(
      `answer_regex=${pattern}: not a valid regular expression (${e instanceof Error ? e.message : String(e)})`,
      "answer_regex",
    );
  }
}

export const promptDistillation = defineRecipe({
  name: "prompt_distillation",
  summary:
    "Prompt distillation: a teacher with a long system prompt writes answers, the student learns them without it",
  description:
    "Stage 1 (the cookbook's create_data): the teacher samples one reply per prompt with system_prompt in its " +
    "context; answer_regex picks the answer; the (prompt, answer) conversations, without the system prompt, are " +
    "written atomically to file_path (kept and reused if it exists). Stage 2 (the cookbook's train): supervised " +
    "fine-tuning of the student on that file with the SL loop. Mirrors the cookbook's prompt_distillation CLIConfig.",
  schema: promptDistillationSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const local = backend === "local";
    const model_name = resolveModel(cfg.model_name, backend, REMOTE_MODEL);
    const teacher_model = resolveModel(
      cfg.teacher_model ?? model_name,
      backend,
      REMOTE_MODEL,
      "teacher_model",
    );
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, model_name);
    // The teacher renders with the student's renderer when it is the same model, else with its own recommended one.
    if (teacher_model !== model_name) await resolveRenderer(null, teacher_model, "teacher_model");
    if (cfg.teacher_checkpoint !== null && !cfg.teacher_checkpoint.startsWith("tinker://")) {
      throw new ConfigError(
        `teacher_checkpoint=${cfg.teacher_checkpoint}: expected a tinker:// path`,
        "teacher_checkpoint",
      );
    }
    if (cfg.system_prompt !== null && cfg.system_prompt.trim() === "") {
      throw new ConfigError(
        "system_prompt is empty: give the teacher's prompt or None for the built-in one",
        "system_prompt",
      );
    }
    const prompts_file = cfg.prompts_file ?? bundledData(MULTILINGUAL_FILE);
    checkFileExists(prompts_file, "prompts_file");
    const { readPrompts } = await import("./create-data.js");
    if (readPrompts(prompts_file, 1).length === 0)
      throw new ConfigError(`prompts_file=${prompts_file}: no prompts (every line is empty)`, "prompts_file");
    const answer_regex =
      cfg.answer_regex ?? (!local && cfg.system_prompt === null ? FINAL_ANSWER_REGEX : null);
    if (answer_regex !== null) checkRegex(answer_regex);
    if (cfg.file_path !== null) {
      if (!cfg.file_path.endsWith(".jsonl"))
        throw new ConfigError(`file_path=${cfg.file_path}: expected a path ending in .jsonl`, "file_path");
      if (existsSync(cfg.file_path)) checkFileExists(cfg.file_path, "file_path"); // reused as the data: must be a file
    }
    if (!local) {
      await checkHubTokenizer(model_name);
      if (teacher_model !== model_name) await checkHubTokenizer(teacher_model, "teacher_model");
    }
    const batch_size = cfg.batch_size ?? (local ? 8 : 128);
    const name = `prompt_distillation-${modelSlug(model_name)}-${cfg.lora_rank}rank-${pyFloatStr(cfg.learning_rate)}lr-${batch_size}batch-${runDate()}`;
    const log_path = cfg.log_path ?? `/tmp/tinker-examples/prompt_distillation/${name}`;
    return {
      ...cfg,
      backend,
      model_name,
      teacher_model,
      renderer_name,
      renderer_name_given,
      prompts_file,
      max_prompts: cfg.max_prompts ?? (local ? 64 : null),
      max_tokens: cfg.max_tokens ?? (local ? 32 : 1000),
      answer_regex,
      batch_size,
      log_path,
      file_path: cfg.file_path ?? join(log_path, DATA_FILE_NAME),
    };
  },
  async run(cfg, ctx) {
    const { runPromptDistillation } = await import("./run.js");
    return runPromptDistillation(cfg, ctx);
  },
});
