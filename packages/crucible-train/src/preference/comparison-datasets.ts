// Reward-model training data: each labeled comparison becomes one supervised datum whose only trained token is the
// label's first token (see ComparisonRendererFromChatRenderer).
import { PyRandom } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { Datum } from "@crucible/tinker-client";
import type { SourcedRow } from "../data/files.js";
import { DataFormatError, DataValidationError } from "../errors.js";
import {
  ChatDatasetBuilder,
  type ChatDatasetBuilderCommonConfig,
  type SupervisedDatasets,
} from "../supervised/builders.js";
import { datumFromModelInputWeights } from "../supervised/common.js";
import { SupervisedDatasetFromRows } from "../supervised/dataset.js";
import { type ComparisonDatasetBuilder, labeledComparisonFor } from "./comparison-builders.js";
import { type ComparisonRenderer, ComparisonRendererFromChatRenderer } from "./comparison-renderer.js";
import { type LabeledComparison, swapLabeledComparison } from "./types.js";

/** `ComparisonDatasetBuilder.get_labeled_comparisons`: every valid row of train and test as labeled comparisons. */
export async function getLabeledComparisons(
  b: ComparisonDatasetBuilder,
): Promise<{ train: LabeledComparison[]; test: LabeledComparison[] | null }> {
  const { train, test } = await b.getTrainAndTestDatasets();
  const convert = (rows: SourcedRow[]) =>
    rows.map((r) => labeledComparisonFor(b, r)).filter((lc): lc is LabeledComparison => lc !== null);
  return { train: convert(train.toArray()), test: test ? convert(test.toArray()) : null };
}

/**
 * `ChatDatasetBuilderFromComparisons`: comparisons → reward-model datums (token-sum loss). With `swap` each
 * comparison gives both orders; without it each is swapped with probability ½ (Python `random.Random(0)`, drawn
 * lazily as rows are mapped, shared by train and test, as in the cookbook) so the model cannot learn "always A".
 */
export class ChatDatasetBuilderFromComparisons extends ChatDatasetBuilder {
  constructor(
    common: ChatDatasetBuilderCommonConfig,
    readonly comparisonBuilder: ComparisonDatasetBuilder,
    readonly swap = false,
    renderer?: Renderer,
  ) {
    super(common, renderer);
  }

  get comparisonRenderer(): ComparisonRenderer {
    return new ComparisonRendererFromChatRenderer(this.renderer);
  }

  async build(): Promise<SupervisedDatasets> {
    const { train, test } = await this.comparisonBuilder.getTrainAndTestDatasets();
    const renderer = this.comparisonRenderer;
    const rng = new PyRandom(0);
    const toDatum = (lc: LabeledComparison): Datum => {
      const { modelInput, weights } = renderer.toModelInputWeights(lc);
      return datumFromModelInputWeights(modelInput, weights, this.commonConfig.maxLength, "none");
    };
    const rowToData = (row: SourcedRow): Datum[] => {
      let lc: LabeledComparison | null;
      try {
        lc = this.comparisonBuilder.exampleToLabeledComparison(row);
        if (!lc) return [];
        if (this.swap) return [toDatum(lc), toDatum(swapLabeledComparison(lc))];
        if (rng.random() < 0.5) lc = swapLabeledComparison(lc);
        return [toDatum(lc)];
      } catch (err) {
        if (err instanceof DataValidationError || err instanceof DataFormatError) throw err;
        throw new DataValidationError(`${row.file}:${row.line}: ${(err as Error).message}`);
      }
    };
    const out: SupervisedDatasets = {
      train: new SupervisedDatasetFromRows(train, this.commonConfig.batchSize, { flatmapFn: rowToData }),
    };
    if (test && test.length > 0)
      out.test = new SupervisedDatasetFromRows(test, test.length, { flatmapFn: rowToData });
    return out;
  }
}
