// The warm start that lets a tiny model use the search tool: SFT on one tool-use demonstration (question → `search`
// call → the tool's real result → "Answer: …") until the policy reproduces it, so that the RL loop then sees the
// policy call the tool by itself. A random tiny model never emits a well-formed tool call. This memorises one
// episode: it shows the multi-turn tool loop, not that the model learned to search.
import { LocalSearchTool, SearchIndex, searchConvoPrefix } from "@crucible/env";
import { getRenderer, getTokenizer, type Message } from "@crucible/renderers";
import type { Datum } from "@crucible/tinker-client";
import { conversationToDatum } from "@crucible/train";

/** The demonstrated episode; `crucible run search_tool` must use the same model, renderer and `n_results`. */
export const SEARCH_DEMO = {
  model: "crucible/tiny-qwen3",
  tokenizer: "Qwen/Qwen3-8B",
  renderer: "qwen3_instruct",
  question: "In which city was Marie Curie born?",
  query: "Marie Curie",
  answer: "Warsaw",
  nResults: 1,
  /** A one-document corpus (`corpus_path=`): a short result keeps the demonstration, and each step, short. */
  corpus: [
    {
      id: "curie",
      title: "Marie Curie",
      text: "Marie Curie, physicist and chemist, was born in Warsaw in 1867.",
    },
  ],
} as const;

/**
 * Settings measured to make tiny-qwen3 reproduce the demonstration (see the README): one optimizer run, the
 * learning rate falling linearly, the gradient norm clipped (a constant 1e-2 or 2e-2 spiked and stalled).
 */
export const SEARCH_WARM_START = {
  steps: 80,
  learningRate: 1e-2,
  finalLearningRate: 1e-3,
  gradClipNorm: 1,
  loraRank: 32,
} as const;

/** The demonstration as one training datum (loss on both assistant turns), rendered exactly as the env renders it. */
export async function searchDemoDatum(): Promise<Datum> {
  const d = SEARCH_DEMO;
  const renderer = getRenderer(d.renderer, await getTokenizer(d.tokenizer));
  const tool = new LocalSearchTool(new SearchIndex(d.corpus), d.nResults);
  const call = {
    type: "function" as const,
    function: { name: "search", arguments: JSON.stringify({ query_list: [d.query] }) },
  };
  const msgs: Message[] = [
    ...searchConvoPrefix(renderer, tool),
    { role: "user", content: d.question },
    { role: "assistant", content: "", toolCalls: [call] },
    ...tool.invoke(call),
    { role: "assistant", content: `Answer: ${d.answer}` },
  ];
  return conversationToDatum(msgs, renderer, 4096, "all_assistant_messages");
}

/** The demonstration's corpus, as `corpus_path=` rows. */
export function searchDemoCorpusRows(): string {
  return SEARCH_DEMO.corpus.map((d) => `${JSON.stringify(d)}\n`).join("");
}

/** The one question of the demonstration, as a `questions_path=` row. */
export function searchDemoQuestionRow(): string {
  return `${JSON.stringify({ question: SEARCH_DEMO.question, answer: [SEARCH_DEMO.answer] })}\n`;
}
