// search_tool launcher: the search env's dataset over the bundled or given corpus + @crucible/train's RL loop.
import { openBackend } from "../common/backend.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { rendererFor } from "../math_rl/run.js";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { type SearchToolConfig, STREAM_NUM_MINIBATCHES } from "./config.js";
import { loadSearchInputs } from "./inputs.js";

export async function runSearchTool(c: SearchToolConfig, ctx: RecipeContext): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  const env = await import("@crucible/env");
  const logPath = c.log_path!;
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
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [c.model_name]);
  try {
    await t.trainRL({
      serviceClient: session.service,
      modelName: c.model_name!,
      recipeName: "recipe_search_tool",
      wandbProject: c.wandb_project,
      wandbName: c.wandb_name,
      learningRate: c.learning_rate,
      datasetBuilder,
      maxTokens: c.max_tokens,
      logPath,
      tokenizer: renderer.tokenizer,
      evalEvery: 0, // as the cookbook: no test set
      saveEvery: c.save_every,
      loadCheckpointPath: c.load_checkpoint_path,
      loraRank: c.lora_rank,
      numGroupsToLog: c.num_groups_to_log,
      streamMinibatchConfig: c.stream_minibatch
        ? { groupsPerBatch: batchSize, numMinibatches: STREAM_NUM_MINIBATCHES }
        : null,
      maxSteps: c.max_steps,
    });
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, "recipe_search_tool run report", { ...c });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}
