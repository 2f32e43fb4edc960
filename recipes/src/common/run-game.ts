// The launcher of the multi-turn game recipes: the RL loop over a game's dataset, whose envs may sample from the
// same backend (twenty_questions' answerer).
import type { RLDatasetBuilder } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { openBackend } from "./backend.js";
import { runRenderer } from "./checkpoint-renderer.js";
import type { GameConfig } from "./game-fields.js";
import { inlineSamplerEvaluators } from "./inline-evals.js";
import { finalMetrics, writeRunReport } from "./report.js";

export interface GameRun {
  recipeName: string;
  title: string;
  /** Base models the backend must serve besides the policy's (the answerer's). */
  extraModels?: string[];
  dataset(renderer: Renderer, service: ServiceClient): Promise<RLDatasetBuilder>;
}

/**
 * Opens the backend, settles the renderer (a checkpoint's when the user chose none: `runRenderer`), builds the
 * game's dataset (which may sample from it) and runs the RL loop, with `evals=` as extra evaluators.
 */
export async function runGame(c: GameConfig, ctx: RecipeContext, g: GameRun): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  const { rendererFor } = await import("../math_rl/run.js");
  const logPath = c.log_path!;
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [
    c.model_name,
    ...(g.extraModels ?? []),
  ]);
  let used = c;
  try {
    used = { ...c, renderer_name: await runRenderer(session.service, c, ctx) };
    const renderer = await rendererFor(used.model_name!, used.renderer_name!);
    await t.trainRL({
      serviceClient: session.service,
      modelName: c.model_name!,
      recipeName: g.recipeName,
      rendererName: used.renderer_name,
      runConfig: { ...used },
      wandbProject: c.wandb_project,
      wandbName: c.wandb_name,
      learningRate: c.learning_rate,
      datasetBuilder: await g.dataset(renderer, session.service),
      maxTokens: c.max_tokens,
      logPath,
      tokenizer: renderer.tokenizer,
      evalEvery: c.eval_every,
      saveEvery: c.save_every,
      loadCheckpointPath: c.load_checkpoint_path,
      evaluators: await inlineSamplerEvaluators(used),
      loraRank: c.lora_rank,
      maxSteps: c.max_steps,
    });
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, g.title, { ...used });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}
