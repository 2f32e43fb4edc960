// Launcher shared by sl_basic, chat_sl and off-policy distillation: builds the dataset builder and runs
// @crucible/train's SL loop on the chosen backend, then writes the run report.
import type { Renderer, TrainOnWhat } from "@crucible/renderers";
import type { SupervisedDatasetBuilder } from "@crucible/train";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import { prefetchTokenizer } from "./hub-inputs.js";
import { type InlineEvalConfig, inlineEvaluatorBuilders } from "./inline-evals.js";
import { tokenizerNameFor } from "./resolve.js";
import { type LoopRecipeFields, sharedLoopOptions, trainOnBackendAndReport } from "./run-loop.js";

export interface SupervisedRecipeConfig extends LoopRecipeFields, InlineEvalConfig {
  recipe_name: string;
  dataset: string | null;
  test_size: number | null;
  shuffle_seed: number;
  batch_size: number | null;
  max_length: number;
  train_on_what: TrainOnWhat | null;
  submit_ahead: number;
  /** openthoughts3 (off-policy distillation): streaming shuffle buffer and rows per epoch. */
  buffer_size?: number;
  max_prompts?: number;
}

/** The dataset builder a resolved SL config names (also used by the parity tests). */
export async function slDatasetBuilder(
  c: SupervisedRecipeConfig,
  renderer?: Renderer,
): Promise<SupervisedDatasetBuilder> {
  const t = await import("@crucible/train");
  const common = {
    modelNameForTokenizer: tokenizerNameFor(c.model_name!),
    rendererName: c.renderer_name!,
    maxLength: c.max_length,
    batchSize: c.batch_size!,
    trainOnWhat: c.train_on_what,
  };
  const ds = c.dataset!;
  if (ds.endsWith(".jsonl")) {
    return new t.FromConversationFileBuilder(
      common,
      { filePath: ds, testSize: c.test_size ?? 0, shuffleSeed: c.shuffle_seed },
      renderer,
    );
  }
  if (ds === "tulu3") return new t.Tulu3Builder(common, {}, renderer);
  if (ds === "openthoughts3")
    return new t.OpenThoughts3Builder(common, c.buffer_size, c.max_prompts, renderer);
  return new t.NoRobotsBuilder(common, {}, renderer);
}

export async function runSupervised(c: SupervisedRecipeConfig, ctx: RecipeContext): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  await prefetchTokenizer(tokenizerNameFor(c.model_name!)); // into the HF cache, where the builders' sync lookup finds it
  return trainOnBackendAndReport(c, c.recipe_name, ctx, async (service, used) => {
    const inline = await inlineEvaluatorBuilders(used, used.recipe_name);
    return t.supervisedTrain({
      ...sharedLoopOptions(used, used.recipe_name),
      evaluatorBuilders: inline.evaluatorBuilders,
      infrequentEvaluatorBuilders: inline.infrequentEvaluatorBuilders,
      submitAhead: used.submit_ahead,
      datasetBuilder: await slDatasetBuilder(used),
      serviceClient: service,
    });
  });
}
