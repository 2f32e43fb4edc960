// rlhf launcher: the three stages in order, each in its own directory under log_path (sft/, rm/, rl/), all on one
// backend session. Stage 3 loads the SFT state and samples the reward model from its final sampler weights.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { ComparisonDatasetBuilder } from "@crucible/train";
import { openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { prefetchTokenizer } from "../common/hub-inputs.js";
import { finalMetrics, readJsonl, writeRunReport } from "../common/report.js";
import { tokenizerNameFor } from "../common/resolve.js";
import { sharedLoopOptions } from "../common/run-loop.js";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { trainRlAgainstRewardModel } from "./rl-stage.js";
import { type RlhfConfig, stageDirs } from "./schema.js";

/** The comparison set a resolved config names (stages 2 and 3). */
export async function comparisonBuilderFor(c: RlhfConfig): Promise<ComparisonDatasetBuilder> {
  const t = await import("@crucible/train");
  const ds = c.comparisons!;
  if (ds.endsWith(".jsonl")) return new t.JsonlComparisonBuilder(ds, c.test_size);
  if (ds === "helpsteer3") return new t.HelpSteer3ComparisonBuilder();
  if (ds === "ultrafeedback") return new t.UltraFeedbackComparisonBuilder();
  return new t.HHHComparisonBuilder();
}

/** The SL loop options of one stage (the recipe's fields under the stage's learning rate, steps and name). */
function stageLoop(
  c: RlhfConfig,
  dir: string,
  stage: "sft" | "rm",
  lr: number,
  steps: number | null,
  epochs: number,
) {
  return sharedLoopOptions(
    {
      ...c,
      model_name: c.base_model,
      log_path: dir,
      load_checkpoint_path: null,
      learning_rate: lr,
      lr_schedule: "linear",
      num_epochs: epochs,
      infrequent_eval_every: 0,
      ttl_seconds: 604800,
      rolling_save_every: 0,
      rolling_ttl_seconds: 7200,
      adam_beta1: 0.9,
      adam_beta2: 0.95,
      adam_eps: 1e-8,
      wandb_name: c.wandb_name === null ? null : `${c.wandb_name}-${stage}`,
      max_steps: steps,
    },
    `recipe_preference_rlhf_${stage}`,
  );
}

async function sftStage(
  c: RlhfConfig,
  service: ServiceClient,
  renderer: Renderer,
  dir: string,
): Promise<void> {
  const t = await import("@crucible/train");
  const common = {
    modelNameForTokenizer: tokenizerNameFor(c.base_model!),
    rendererName: c.renderer_name!,
    maxLength: c.max_length,
    batchSize: c.batch_size!,
    trainOnWhat: "all_assistant_messages" as const,
  };
  const ds = c.sft_dataset!;
  const datasetBuilder = ds.endsWith(".jsonl")
    ? new t.FromConversationFileBuilder(common, { filePath: ds, testSize: 0, shuffleSeed: 0 }, renderer)
    : new t.NoRobotsBuilder(common, {}, renderer);
  await t.supervisedTrain({
    ...stageLoop(c, dir, "sft", c.sft_learning_rate, c.sft_max_steps ?? c.max_steps, 1),
    datasetBuilder,
    serviceClient: service,
  });
}

/** Stage 2; afterwards the final weights' pairwise accuracy is appended to rm/metrics.jsonl (step = steps run). */
async function rmStage(
  c: RlhfConfig,
  service: ServiceClient,
  renderer: Renderer,
  dir: string,
): Promise<void> {
  const t = await import("@crucible/train");
  const { JsonlMetricsLogger } = await import("@crucible/log");
  const comparisons = await comparisonBuilderFor(c);
  const heldOut = (await t.getLabeledComparisons(comparisons)).test ?? [];
  const accuracy = () => new t.PairwiseAccuracyEvaluator({ comparisons: heldOut, renderer });
  const datasetBuilder = new t.ChatDatasetBuilderFromComparisons(
    {
      modelNameForTokenizer: tokenizerNameFor(c.base_model!),
      rendererName: c.renderer_name!,
      maxLength: c.max_length,
      batchSize: c.batch_size!,
    },
    comparisons,
    c.rm_swap,
    renderer,
  );
  const res = await t.supervisedTrain({
    ...stageLoop(c, dir, "rm", c.rm_learning_rate, c.rm_max_steps ?? c.max_steps, c.rm_num_epochs),
    datasetBuilder,
    evaluatorBuilders: heldOut.length > 0 ? [accuracy] : [],
    serviceClient: service,
  });
  const last = t.getLastCheckpoint(dir, "sampler_path");
  if (heldOut.length === 0 || !last?.samplerPath || res.stepsRun === 0) return;
  const sampler = await service.createSamplingClient({ modelPath: last.samplerPath });
  const metrics = await accuracy().evaluate(sampler);
  const logged = readJsonl(join(dir, "metrics.jsonl"));
  const logger = new JsonlMetricsLogger(dir);
  logger.logMetrics(metrics, ((logged.at(-1)?.["step"] as number | undefined) ?? -1) + 1);
  await logger.close();
}

export async function runRlhf(
  resolved: RlhfConfig & ResolvedExtras,
  ctx: RecipeContext,
): Promise<RecipeResult> {
  await prefetchTokenizer(tokenizerNameFor(resolved.base_model!));
  const root = resolved.log_path!;
  const dirs = stageDirs(root);
  mkdirSync(root, { recursive: true });
  const session = await openBackend(resolved.backend === "remote" ? "remote" : "local", resolved.base_url, [
    resolved.base_model,
  ]);
  let c = resolved;
  try {
    // Every stage continues from the SFT weights: a rerun keeps the renderer their checkpoint recorded.
    const fromSft = { ...resolved, log_path: dirs.sft, load_checkpoint_path: null };
    c = { ...resolved, renderer_name: await runRenderer(session.service, fromSft, ctx) };
    const renderer = await rendererFor(c.base_model!, c.renderer_name!);
    if (c.run_sft) {
      ctx.print(`stage 1/3: SFT → ${dirs.sft}`);
      await sftStage(c, session.service, renderer, dirs.sft);
    }
    if (c.run_rm) {
      ctx.print(`stage 2/3: reward model → ${dirs.rm}`);
      await rmStage(c, session.service, renderer, dirs.rm);
    }
    if (c.run_rl) {
      ctx.print(`stage 3/3: RL against the reward model → ${dirs.rl}`);
      await trainRlAgainstRewardModel(c, session.service, renderer, dirs, await comparisonBuilderFor(c));
    }
  } finally {
    await session.close();
  }
  const metrics: Record<string, number> = {};
  for (const [stage, dir] of Object.entries(dirs)) {
    const ran = stage === "sft" ? c.run_sft : stage === "rm" ? c.run_rm : c.run_rl;
    if (!ran) continue;
    await writeRunReport(dir, `recipe_preference_rlhf_${stage} run report`, { ...c });
    ctx.print(`report: ${dir}/report.html`);
    for (const [k, v] of Object.entries(finalMetrics(dir))) metrics[`${stage}/${k}`] = v;
  }
  return { logPath: root, finalMetrics: metrics };
}
