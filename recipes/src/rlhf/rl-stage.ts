// Stage 3 of rlhf: RL from the SFT state against the reward model's sampler, with pairwise preference envs on the
// comparison prompts and the held-out reference answers as the win-rate evaluation.
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { ComparisonDatasetBuilder } from "@crucible/train";
import { inlineSamplerEvaluators } from "../common/inline-evals.js";
import type { ResolvedExtras } from "../recipe.js";
import type { RlhfConfig } from "./schema.js";

/** The cookbook's evaluator takes the first 256 held-out comparisons. */
const EVAL_COMPARISONS = 256;

export async function trainRlAgainstRewardModel(
  c: RlhfConfig & ResolvedExtras,
  service: ServiceClient,
  renderer: Renderer,
  dirs: { sft: string; rm: string; rl: string },
  comparisons: ComparisonDatasetBuilder,
): Promise<void> {
  const t = await import("@crucible/train");
  const sft = t.getLastCheckpoint(dirs.sft, "state_path");
  if (!sft?.statePath) throw new t.ConfigurationError(`no SFT checkpoint found in ${dirs.sft}`);
  const rm = t.getLastCheckpoint(dirs.rm, "sampler_path");
  if (!rm?.samplerPath) throw new t.ConfigurationError(`no reward-model checkpoint found in ${dirs.rm}`);
  const preferenceModelBuilder = t.preferenceModelBuilderFromChatRenderer({
    convoRenderer: renderer,
    serviceClient: service,
    rmWeightsPath: rm.samplerPath,
  });
  const heldOut = (await t.getLabeledComparisons(comparisons)).test ?? [];
  const benchmarks = await inlineSamplerEvaluators({ ...c, model_name: c.base_model, log_path: dirs.rl });
  const winRate =
    heldOut.length > 0
      ? [
          new t.ComparisonEvaluator({
            preferenceModelBuilder,
            comparisons: heldOut.slice(0, EVAL_COMPARISONS).map((lc) => lc.comparison),
            renderer,
            maxTokens: c.rl_max_tokens,
          }),
        ]
      : [];
  await t.trainRL({
    serviceClient: service,
    modelName: c.base_model!,
    recipeName: "recipe_preference_rlhf_rl",
    rendererName: c.renderer_name,
    runConfig: { ...c, log_path: dirs.rl },
    learningRate: c.rl_learning_rate,
    datasetBuilder: t.pairwisePreferenceRLDatasetBuilder({
      comparisonBuilder: comparisons,
      renderer,
      batchSize: c.batch_size!,
      groupSize: c.rl_group_size,
      preferenceModelBuilder,
      tournamentPattern: "all_pairs_both_ways",
    }),
    maxTokens: c.rl_max_tokens,
    logPath: dirs.rl,
    tokenizer: renderer.tokenizer,
    evalEvery: c.eval_every,
    saveEvery: c.save_every,
    loadCheckpointPath: sft.statePath,
    evaluators: [...benchmarks, ...winRate],
    loraRank: c.lora_rank,
    numGroupsToLog: c.num_groups_to_log,
    wandbProject: c.wandb_project,
    wandbName: c.wandb_name === null ? null : `${c.wandb_name}-rl`,
    maxSteps: c.rl_max_steps ?? c.max_steps,
  });
}
