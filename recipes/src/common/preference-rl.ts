// The RL stage the preference recipes share (shorter, rlhf): pairwise preference envs on the recipe's comparison
// prompts, @crucible/train's RL loop on the chosen backend, then the run report.
import type { RLDatasetBuilder } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { SamplingClientEvaluator } from "@crucible/train";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { openBackend } from "./backend.js";
import { type RunRendererFields, runRenderer } from "./checkpoint-renderer.js";
import { type InlineEvalConfig, inlineSamplerEvaluators } from "./inline-evals.js";
import { finalMetrics, writeRunReport } from "./report.js";

/** What the RL loop needs from a preference recipe's resolved config. */
export interface PreferenceRlRun {
  backend: "local" | "remote";
  baseUrl: string | null;
  modelName: string;
  logPath: string;
  recipeName: string;
  loadCheckpointPath: string | null;
  learningRate: number;
  maxTokens: number;
  evalEvery: number;
  saveEvery: number;
  loraRank: number;
  computePostKl: boolean;
  numGroupsToLog: number;
  wandbProject: string | null;
  wandbName: string | null;
  maxSteps: number | null;
  /** Extra base models the local backend must serve (e.g. the reward model's). */
  alsoServe?: string[];
}

export interface PreferenceRlParts {
  datasetBuilder: RLDatasetBuilder;
  evaluators?: SamplingClientEvaluator[];
}

/** The resolved config: its renderer choice, `evals=` and, as a whole, the run metadata and report. */
export type PreferenceRlConfig = RunRendererFields &
  InlineEvalConfig & { model_name: string | null; [key: string]: unknown };

/**
 * Opens the backend, settles the renderer (a checkpoint's when the user chose none: `runRenderer`), builds the envs
 * (they may need the service, e.g. for the reward model's sampler) and trains, with `evals=` as extra evaluators.
 */
export async function runPreferenceRl(
  r: PreferenceRlRun,
  config: PreferenceRlConfig,
  ctx: RecipeContext,
  parts: (renderer: Renderer, service: ServiceClient) => Promise<PreferenceRlParts>,
): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  const session = await openBackend(r.backend, r.baseUrl, [r.modelName, ...(r.alsoServe ?? [])]);
  let used = config;
  try {
    used = { ...config, renderer_name: await runRenderer(session.service, config, ctx) };
    const rendererName = used.renderer_name!;
    const renderer = await rendererFor(r.modelName, rendererName);
    const { datasetBuilder, evaluators } = await parts(renderer, session.service);
    await t.trainRL({
      serviceClient: session.service,
      modelName: r.modelName,
      recipeName: r.recipeName,
      rendererName,
      runConfig: { ...used },
      wandbProject: r.wandbProject,
      wandbName: r.wandbName,
      learningRate: r.learningRate,
      datasetBuilder,
      maxTokens: r.maxTokens,
      logPath: r.logPath,
      tokenizer: renderer.tokenizer,
      evalEvery: r.evalEvery,
      saveEvery: r.saveEvery,
      loadCheckpointPath: r.loadCheckpointPath,
      evaluators: [...(await inlineSamplerEvaluators(used)), ...(evaluators ?? [])],
      loraRank: r.loraRank,
      computePostKl: r.computePostKl,
      numGroupsToLog: r.numGroupsToLog,
      maxSteps: r.maxSteps,
    });
  } finally {
    await session.close();
  }
  await writeRunReport(r.logPath, `${r.recipeName} run report`, { ...used });
  ctx.print(`report: ${r.logPath}/report.html`);
  return { logPath: r.logPath, finalMetrics: finalMetrics(r.logPath) };
}
