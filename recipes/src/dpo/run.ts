// dpo launcher: comparisons → interleaved chosen/rejected datums → @crucible/train's DPO loop.
import type { Renderer } from "@crucible/renderers";
import type { SupervisedDatasetBuilder } from "@crucible/train";
import { inlineEvaluatorBuilders } from "../common/inline-evals.js";
import { tokenizerNameFor } from "../common/resolve.js";
import { sharedLoopOptions, trainOnBackendAndReport } from "../common/run-loop.js";
import type { RecipeContext, RecipeResult } from "../recipe.js";
import type { DpoConfig } from "./schema.js";

/** The DPO dataset builder a resolved config names (also used by the parity tests). */
export async function dpoDatasetBuilder(
  c: DpoConfig,
  renderer?: Renderer,
): Promise<SupervisedDatasetBuilder> {
  const t = await import("@crucible/train");
  const ds = c.dataset!;
  const comparisons = ds.endsWith(".jsonl")
    ? new t.JsonlComparisonBuilder(ds, c.test_size)
    : ds === "helpsteer3"
      ? new t.HelpSteer3ComparisonBuilder()
      : ds === "ultrafeedback"
        ? new t.UltraFeedbackComparisonBuilder()
        : new t.HHHComparisonBuilder();
  return new t.DPODatasetBuilderFromComparisons(
    {
      modelNameForTokenizer: tokenizerNameFor(c.model_name!),
      rendererName: c.renderer_name!,
      maxLength: c.max_length,
      batchSize: c.batch_size!,
    },
    comparisons,
    renderer,
  );
}

export async function runDpo(c: DpoConfig, ctx: RecipeContext): Promise<RecipeResult> {
  const t = await import("@crucible/train");
  const recipeName = "recipe_preference_dpo";
  return trainOnBackendAndReport(c, recipeName, ctx, async (service, used) => {
    const inline = await inlineEvaluatorBuilders(used, recipeName);
    return t.dpoTrain({
      ...sharedLoopOptions(used, recipeName),
      evaluatorBuilders: inline.evaluatorBuilders,
      infrequentEvaluatorBuilders: inline.infrequentEvaluatorBuilders,
      dpoBeta: used.dpo_beta,
      referenceModelName: used.reference_model_name,
      datasetBuilder: await dpoDatasetBuilder(used),
      serviceClient: service,
    });
  });
}
