// OpenThoughts3 off-policy reasoning data (the cookbook's OpenThoughts3Builder): the train split streamed from the
// hub through @crucible/hub (Parquet row groups by range requests, never the whole file first), a shuffle buffer of
// `bufferSize` rows (seed 0 + epoch), `maxPrompts` rows per epoch, `conversations` turns (from/value) → messages.
import { type StreamOptions, splitMatcher, streamDatasetRows } from "@crucible/hub";
import type { Renderer } from "@crucible/renderers";
import type { SourcedRow } from "../data/files.js";
import {
  ChatDatasetBuilder,
  type ChatDatasetBuilderCommonConfig,
  type SupervisedDatasets,
} from "../supervised/builders.js";
import { conversationToDatum } from "../supervised/conversation.js";
import { StreamingSupervisedDataset } from "../supervised/dataset.js";
import { teacherTraceMessages } from "./off-policy.js";

export const OPENTHOUGHTS3_REPO = "open-thoughts/OpenThoughts3-1.2M";

export class OpenThoughts3Builder extends ChatDatasetBuilder {
  constructor(
    common: ChatDatasetBuilderCommonConfig,
    readonly bufferSize = 128 * 3000,
    readonly maxPrompts = 128 * 3000,
    renderer?: Renderer,
    /** Hub options (endpoint, cache, revision); defaults from the environment. */
    readonly hub: StreamOptions = {},
    readonly repo = OPENTHOUGHTS3_REPO,
  ) {
    super(common, renderer);
  }

  async build(): Promise<SupervisedDatasets> {
    const query = { repo: this.repo, match: splitMatcher({ split: "train", anyDir: true }) };
    let n = 0;
    const source = () => {
      const rows = streamDatasetRows(query, this.hub);
      return (async function* () {
        for await (const value of rows) yield { value, file: `${query.repo} train`, line: ++n } as SourcedRow;
      })();
    };
    const renderer = this.renderer;
    const trainOnWhat = this.commonConfig.trainOnWhat ?? "all_assistant_messages";
    const maxLength = this.commonConfig.maxLength;
    const train = new StreamingSupervisedDataset<SourcedRow>(
      source,
      this.commonConfig.batchSize,
      this.maxPrompts,
      {
        mapFn: (row) =>
          conversationToDatum(teacherTraceMessages(row), renderer, maxLength, trainOnWhat, "mean"),
      },
      this.bufferSize,
      0,
    );
    return { train };
  }
}
