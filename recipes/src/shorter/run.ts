// shorter launcher: the dummy comparison set's prompt → pairwise preference envs judged by length → RL loop.
import { runPreferenceRl } from "../common/preference-rl.js";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { preferenceModelShorter, shorterComparisonBuilder } from "./env.js";
import type { ShorterConfig } from "./schema.js";

export async function runShorter(c: ShorterConfig, ctx: RecipeContext): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  return runPreferenceRl(
    {
      backend: c.backend === "remote" ? "remote" : "local",
      baseUrl: c.base_url,
      modelName: c.model_name!,
      logPath: c.log_path!,
      recipeName: "recipe_preference_shorter",
      loadCheckpointPath: c.load_checkpoint_path,
      learningRate: c.learning_rate,
      maxTokens: c.max_tokens,
      evalEvery: c.eval_every,
      saveEvery: c.save_every,
      loraRank: c.lora_rank,
      computePostKl: true,
      numGroupsToLog: c.num_groups_to_log,
      wandbProject: c.wandb_project,
      wandbName: c.wandb_name,
      maxSteps: c.max_steps,
    },
    c,
    ctx,
    async (renderer) => ({
      datasetBuilder: t.pairwisePreferenceRLDatasetBuilder({
        comparisonBuilder: await shorterComparisonBuilder(),
        renderer,
        batchSize: c.batch_size!,
        groupSize: c.group_size!,
        preferenceModelBuilder: () => preferenceModelShorter,
      }),
    }),
  );
}
