// The RL stage the preference recipes share (shorter, rlhf): pairwise preference envs on the recipe's comparison
// prompts, @crucible/train's RL loop on the chosen backend, then the run report.
import type { RLDatasetBuilder } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { SamplingClientEvaluator } from "@crucible/train";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { openBackend } from "./backend.js";
import { finalMetrics, writeRunReport } from "./report.js";

/** What the RL loop needs from a preference recipe's resolved config. */
export interface PreferenceRlRun {
  backend: "local" | "remote";
  baseUrl: string | null;
  modelName: string;
  rendererName: string;
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

/** Opens the backend, builds the envs (they may need the service, e.g. for the reward model's sampler), trains. */
export async function runPreferenceRl(
  r: PreferenceRlRun,
  ctx: RecipeContext,
  parts: (renderer: Renderer, service: ServiceClient) => Promise<PreferenceRlParts>,
  report: Record<string, unknown>,
): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  const renderer = await rendererFor(r.modelName, r.rendererName);
  const session = await openBackend(r.backend, r.baseUrl, [r.modelName, ...(r.alsoServe ?? [])]);
  try {
    const { datasetBuilder, evaluators } = await parts(renderer, session.service);
    await t.trainRL({
      serviceClient: session.service,
      modelName: r.modelName,
      recipeName: r.recipeName,
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
      evaluators: evaluators ?? [],
      loraRank: r.loraRank,
      computePostKl: r.computePostKl,
      numGroupsToLog: r.numGroupsToLog,
      maxSteps: r.maxSteps,
    });
  } finally {
    await session.close();
  }
  await writeRunReport(r.logPath, `${r.recipeName} run report`, report);
  ctx.print(`report: ${r.logPath}/report.html`);
  return { logPath: r.logPath, finalMetrics: finalMetrics(r.logPath) };
}
