// The `shorter` task (cookbook recipes/preference/shorter/env.py): a fixed prompt, and a preference model that
// prefers whichever answer has fewer characters.
import type { Message } from "@crucible/renderers";
import type {
  Comparison,
  ComparisonDatasetBuilder,
  LabeledComparison,
  PreferenceModel,
} from "@crucible/train";

export const CONVO_PREFIX: Message[] = [{ role: "user", content: "Who are you?" }];
const DUMMY_COMPLETION: Message[] = [
  {
    role: "assistant",
    content: "Hello thre! I am a large language model. How can I assist you? Feel free to ask me anything.",
  },
];
const DUMMY_COMPARISON: Comparison = {
  promptConversation: CONVO_PREFIX,
  completionA: DUMMY_COMPLETION,
  completionB: DUMMY_COMPLETION,
};
/** The cookbook's dummy dataset has 1024 rows, all the same prompt. */
export const SHORTER_DATASET_ROWS = 1024;

/** Characters of a completion's text (what "shorter" means in the cookbook). */
export function completionLength(completion: readonly Message[]): number {
  let n = 0;
  for (const m of completion)
    n += typeof m.content === "string" ? m.content.length : JSON.stringify(m.content).length;
  return n;
}

/** `PreferenceModelShorter`: 1 when B is shorter, −1 when A is shorter, 0 for equal lengths. */
export const preferenceModelShorter: PreferenceModel = async (c) => {
  const a = completionLength(c.completionA);
  const b = completionLength(c.completionB);
  return a > b ? 1 : b > a ? -1 : 0;
};

/** `ShorterComparisonBuilder`: 1024 rows of one prompt ("Who are you?"); no test set. */
export async function shorterComparisonBuilder(): Promise<ComparisonDatasetBuilder> {
  const t = await import("@crucible/train");
  const { RowDataset } = t;
  const rows = Array.from({ length: SHORTER_DATASET_ROWS }, (_, i) => ({
    value: { id: null },
    file: "shorter",
    line: i + 1,
  }));
  return {
    async getTrainAndTestDatasets() {
      return { train: RowDataset.fromList(rows) };
    },
    exampleToLabeledComparison(): LabeledComparison {
      return { comparison: DUMMY_COMPARISON, label: "Tie" };
    },
  };
}
