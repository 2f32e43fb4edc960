// search_tool launcher: the search env's dataset over the bundled or given corpus + @crucible/train's RL loop.
import type { ServiceClient } from "@crucible/tinker-client";
import { openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { inlineSamplerEvaluators } from "../common/inline-evals.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { checkToolRenderer, loadSearchInputs } from "./inputs.js";
import { type SearchToolConfig, STREAM_NUM_MINIBATCHES } from "./schema.js";

export async function runSearchTool(
  c: SearchToolConfig & ResolvedExtras,
  ctx: RecipeContext,
): Promise<RecipeResult> {
  const logPath = c.log_path!;
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [c.model_name]);
  let used = c;
  try {
    used = { ...c, renderer_name: await runRenderer(session.service, c, ctx) };
    // A checkpoint's renderer must also have a tool-call format.
    if (used.renderer_name !== c.renderer_name)
      await checkToolRenderer(used.model_name!, used.renderer_name!);
    await trainSearchTool(used, session.service);
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, "recipe_search_tool run report", { ...used });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}

async function trainSearchTool(c: SearchToolConfig & ResolvedExtras, service: ServiceClient): Promise<void> {
  const t = await import("@crucible/train");
  const env = await import("@crucible/env");
  const batchSize = c.batch_size!;
  const renderer = await rendererFor(c.model_name!, c.renderer_name!);
  const { corpus, questions } = await loadSearchInputs(c.corpus_path, c.questions_path);
  const datasetBuilder = env.searchDatasetBuilder({
    renderer,
    batchSize,
    groupSize: c.group_size,
    seed: c.seed,
    nResults: c.n_results,
    maxNumCalls: c.max_num_calls,
    maxTrajectoryTokens: c.max_trajectory_tokens,
    formatCoef: c.format_coef,
    ...(corpus ? { corpus } : {}),
    ...(questions ? { questions } : {}),
  });
  await t.trainRL({
    serviceClient: service,
    modelName: c.model_name!,
    recipeName: "recipe_search_tool",
    rendererName: c.renderer_name,
    runConfig: { ...c },
    wandbProject: c.wandb_project,
    wandbName: c.wandb_name,
    learningRate: c.learning_rate,
    datasetBuilder,
    maxTokens: c.max_tokens,
    logPath: c.log_path!,
    tokenizer: renderer.tokenizer,
    evalEvery: c.eval_every, // no test set (as the cookbook): only the evals= benchmarks
    evaluators: await inlineSamplerEvaluators(c),
    saveEvery: c.save_every,
    loadCheckpointPath: c.load_checkpoint_path,
    loraRank: c.lora_rank,
    numGroupsToLog: c.num_groups_to_log,
    streamMinibatchConfig: c.stream_minibatch
      ? { groupsPerBatch: batchSize, numMinibatches: STREAM_NUM_MINIBATCHES }
      : null,
    maxSteps: c.max_steps,
  });
}
