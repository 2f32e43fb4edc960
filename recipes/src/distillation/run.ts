// distillation launcher: on-policy (student samples, teacher logprobs → reverse-KL advantages) through
// @crucible/train's on-policy loop, or off-policy SFT on teacher-written conversations through the SL loop.
import { basename } from "node:path";
import type { ServiceClient } from "@crucible/tinker-client";
import { openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { inlineSamplerEvaluators } from "../common/inline-evals.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { tokenizerNameFor } from "../common/resolve.js";
import { runSupervised } from "../common/run-supervised.js";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { loadPrompts } from "./prompts.js";
import type { DistillationConfig } from "./schema.js";

export { promptsFromConversations } from "./prompts.js";

export async function runDistillation(
  c: DistillationConfig & ResolvedExtras,
  ctx: RecipeContext,
): Promise<RecipeResult> {
  if (c.mode === "off_policy") {
    return runSupervised(
      {
        ...c,
        recipe_name: "recipe_distillation_off_policy_reasoning",
        test_size: 0,
        shuffle_seed: 0,
        train_on_what: "all_assistant_messages",
        eval_every: c.eval_every!,
        infrequent_eval_every: 100,
        submit_ahead: 1,
        save_every: c.save_every!,
        learning_rate: c.learning_rate!,
        ttl_seconds: 604800,
        rolling_save_every: 0,
        rolling_ttl_seconds: 7200,
        adam_beta1: 0.9,
        adam_beta2: 0.95,
        adam_eps: 1e-8,
      },
      ctx,
    );
  }
  const logPath = c.log_path!;
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [
    c.model_name,
    c.teacher_model,
  ]);
  let used = c;
  try {
    const renderer_name = await runRenderer(session.service, c, ctx, {
      teacherCheckpoint: c.teacher_checkpoint,
    });
    used = { ...c, renderer_name };
    await trainOnPolicy(used, session.service);
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, "recipe_distillation_on_policy run report", {
    ...used,
    tokenizer: tokenizerNameFor(c.model_name!),
  });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}

async function trainOnPolicy(c: DistillationConfig & ResolvedExtras, service: ServiceClient): Promise<void> {
  const t = await import("@crucible/train");
  const env = await import("@crucible/env");
  const renderer = await rendererFor(c.model_name!, c.renderer_name!);
  const dataset = c.dataset!;
  const prompts = await loadPrompts(dataset);
  await t.trainOnPolicyDistillation({
    serviceClient: service,
    modelName: c.model_name!,
    recipeName: "recipe_distillation_on_policy",
    rendererName: c.renderer_name,
    runConfig: { ...c },
    wandbProject: c.wandb_project,
    wandbName: c.wandb_name,
    learningRate: c.learning_rate!,
    maxTokens: c.max_tokens!,
    logPath: c.log_path!,
    tokenizer: renderer.tokenizer,
    evalEvery: c.eval_every!,
    saveEvery: c.save_every!,
    loadCheckpointPath: c.load_checkpoint_path,
    evaluators: await inlineSamplerEvaluators(c),
    lossFn: c.loss_fn,
    lossFnConfig: c.loss_fn_config,
    numSubsteps: c.num_substeps,
    loraRank: c.lora_rank,
    temperature: c.temperature,
    computePostKl: c.compute_post_kl,
    maxSteps: c.max_steps,
    klPenaltyCoef: c.kl_penalty_coef,
    klDiscountFactor: c.kl_discount_factor,
    datasetConfigs: [
      {
        datasetBuilder: env.promptOnlyDatasetBuilder({
          prompts,
          renderer,
          groupsPerBatch: c.groups_per_batch!,
          groupSize: c.group_size,
          datasetName: dataset.endsWith(".jsonl") ? basename(dataset, ".jsonl") : dataset,
          maxPromptTokens: c.max_prompt_tokens,
          tokenizer: renderer.tokenizer,
        }),
        teacherConfig: { baseModel: c.teacher_model!, loadCheckpointPath: c.teacher_checkpoint },
        groupsPerBatch: c.groups_per_batch!,
      },
    ],
  });
}
