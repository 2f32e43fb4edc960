// The warm start that lets a tiny model use the search tool: SFT on one tool-use demonstration (question → `search`
// call → the tool's real result → "Answer: …") until the policy reproduces it, so that the RL loop then sees the
// policy call the tool by itself. A random tiny model never emits a well-formed tool call. This memorises one
// episode: it shows the multi-turn tool loop, not that the model learned to search.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

/**
 * `crucible run search_tool` argv for one RL step from the warmed state on the demonstration's question and corpus
 * (their files are written into `dir`; the run logs to `<dir>/rl`).
 */
export function searchDemoRunArgs(o: {
  dir: string;
  statePath: string;
  groupSize: number;
  loraRank: number;
}): { argv: string[]; logPath: string } {
  const qa = join(o.dir, "qa.jsonl");
  writeFileSync(qa, searchDemoQuestionRow());
  const corpus = join(o.dir, "corpus.jsonl");
  writeFileSync(corpus, searchDemoCorpusRows());
  const logPath = join(o.dir, "rl");
  const argv = [
    "run",
    "search_tool",
    "backend=local",
    `model_name=${SEARCH_DEMO.model}`,
    `renderer_name=${SEARCH_DEMO.renderer}`,
    `questions_path=${qa}`,
    `corpus_path=${corpus}`,
    `n_results=${SEARCH_DEMO.nResults}`,
    `lora_rank=${o.loraRank}`,
    `load_checkpoint_path=${o.statePath}`,
    "batch_size=1",
    `group_size=${o.groupSize}`,
    "max_tokens=32",
    "max_steps=1",
    "save_every=0",
    "num_groups_to_log=1",
    `log_path=${logPath}`,
  ];
  return { argv, logPath };
}

/** The one question of the demonstration, as a `questions_path=` row. */
export function searchDemoQuestionRow(): string {
  return `${JSON.stringify({ question: SEARCH_DEMO.question, answer: [SEARCH_DEMO.answer] })}\n`;
}
