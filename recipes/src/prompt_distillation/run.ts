// prompt_distillation launcher: stage 1 samples the teacher (long system prompt in context) into a conversations
// file, unless that file already exists; stage 2 fine-tunes the student on it with the SL loop (no system prompt).
import { existsSync } from "node:fs";
import type { ServiceClient } from "@crucible/tinker-client";
import { openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { resolveRenderer } from "../common/resolve.js";
import { runSupervised } from "../common/run-supervised.js";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { generateTeacherData, readPrompts, writeDistillationData } from "./create-data.js";
import { LANGUAGE_CLASSIFIER_PROMPT } from "./prompt.js";
import type { PromptDistillationConfig } from "./schema.js";

/**
 * The teacher's renderer: for the student's model, the user's renderer_name if given, else the one
 * teacher_checkpoint's run recorded, else the model's default; for another model, its checkpoint's or its default.
 */
async function teacherRenderer(
  c: PromptDistillationConfig & ResolvedExtras,
  service: ServiceClient,
  ctx: RecipeContext,
) {
  const teacherModel = c.teacher_model!;
  const same = teacherModel === c.model_name;
  const fallback = same ? c.renderer_name! : await resolveRenderer(null, teacherModel, "teacher_model");
  const name = await runRenderer(
    service,
    {
      renderer_name: fallback,
      renderer_name_given: same && c.renderer_name_given !== false,
      load_checkpoint_path: null,
      log_path: null,
    },
    ctx,
    { teacherCheckpoint: c.teacher_checkpoint },
  );
  return rendererFor(teacherModel, name);
}

/** Stage 1: the teacher's answers → `file_path` (written once, atomically). */
export async function createTeacherData(
  c: PromptDistillationConfig & ResolvedExtras,
  ctx: RecipeContext,
): Promise<void> {
  const file = c.file_path!;
  const teacherModel = c.teacher_model!;
  const prompts = readPrompts(c.prompts_file!, c.max_prompts);
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [teacherModel]);
  try {
    const renderer = await teacherRenderer(c, session.service, ctx);
    const teacher = await session.service.createSamplingClient(
      c.teacher_checkpoint ? { modelPath: c.teacher_checkpoint } : { baseModel: teacherModel },
    );
    ctx.print(
      `teacher ${c.teacher_checkpoint ?? teacherModel}: sampling ${prompts.length} replies (renderer ${renderer.name})`,
    );
    const { rows, dropped } = await generateTeacherData({
      teacher,
      renderer,
      systemPrompt: c.system_prompt ?? LANGUAGE_CLASSIFIER_PROMPT,
      prompts,
      temperature: c.temperature,
      maxTokens: c.max_tokens!,
      answerRegex: c.answer_regex,
    });
    if (rows.length === 0) {
      throw new Error(
        `the teacher's ${prompts.length} replies contain no match of answer_regex=${c.answer_regex}; nothing to train on`,
      );
    }
    writeDistillationData(file, rows);
    ctx.print(`wrote ${rows.length} conversations to ${file} (${dropped} replies without an answer dropped)`);
  } finally {
    await session.close();
  }
}

export async function runPromptDistillation(
  c: PromptDistillationConfig & ResolvedExtras,
  ctx: RecipeContext,
): Promise<RecipeResult> {
  if (existsSync(c.file_path!)) ctx.print(`using the existing teacher data ${c.file_path}`);
  else await createTeacherData(c, ctx);
  // max_prompts limited stage 1; the SL builders read a same-named key for streamed datasets only.
  const { max_prompts: _usedAbove, ...sl } = c;
  return runSupervised(
    {
      ...sl,
      recipe_name: "recipe_prompt_distillation",
      dataset: c.file_path,
      test_size: 0,
      shuffle_seed: 0,
      infrequent_eval_every: 100,
      submit_ahead: 1,
      adam_beta1: 0.9,
      adam_beta2: 0.95,
      adam_eps: 1e-8,
    },
    ctx,
  );
}
