// search_tool: RL with a search tool over a local full-text index (cookbook recipes/tool_use/search/rl_search.py).
// The policy calls `search` in its renderer's tool-call format, reads the results and answers; the reward grades
// the answer against the reference answers. Config fields and defaults are rl_search.py's command-line options.
import { z } from "zod";
import { ConfigError } from "../cli/errors.js";
import { commonFields, modelField, nonNegInt, posInt } from "../common/fields.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { checkSearchInputs, checkToolRenderer } from "./inputs.js";

export const SEARCH_TOOL_REMOTE_MODEL = "Qwen/Qwen3-4B-Instruct-2507";
/** Minibatches per substep when stream_minibatch is on (fixed in the cookbook too). */
export const STREAM_NUM_MINIBATCHES = 4;

export const searchToolSchema = z
  .object({
    model_name: modelField(SEARCH_TOOL_REMOTE_MODEL),
    ...commonFields(),
    corpus_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Documents to index (.jsonl/.json/.parquet rows with text, optional title and id); None = bundled",
      ),
    questions_path: z
      .string()
      .nullable()
      .default(null)
      .describe("Questions (rows with question and answer: a string or a list); None = bundled"),
    seed: z.number().int().nonnegative().default(2).describe("Question shuffling seed"),
    batch_size: posInt()
      .nullable()
      .default(null)
      .describe(
        "Questions (groups) per step; None = 4 locally, 512 remotely, at most the number of questions",
      ),
    group_size: posInt().default(8).describe("Episodes per question (advantages are centred within a group)"),
    learning_rate: z.number().positive().default(4e-5).describe("Adam learning rate (constant)"),
    lora_rank: posInt().default(32).describe("LoRA rank"),
    max_tokens: posInt().default(1024).describe("Max sampled tokens per turn"),
    max_trajectory_tokens: posInt()
      .default(8 * 1024)
      .describe("An episode whose next prompt would be longer ends with reward 0"),
    n_results: posInt().default(3).describe("Documents the search tool returns per query"),
    max_num_calls: posInt()
      .default(4)
      .describe("Tool calls allowed per episode; one more ends it with reward 0"),
    format_coef: z.number().nonnegative().default(0.1).describe("reward = format_coef*(format-1) + correct"),
    stream_minibatch: z
      .boolean()
      .default(false)
      .describe(`Stream ${STREAM_NUM_MINIBATCHES} minibatches per step (train as groups arrive; on-policy)`),
    save_every: nonNegInt().default(20).describe("Save a checkpoint every N steps (0 = never)"),
    num_groups_to_log: nonNegInt()
      .default(4)
      .describe("Groups whose transcripts are written to iteration_%06d/train.html (0 = none)"),
  })
  .strict();
export type SearchToolConfig = z.output<typeof searchToolSchema>;

/** Tiny local models are base models with a Qwen3 tokenizer: give them a renderer that has a tool-call format. */
function localToolRenderer(model: string): string | null {
  return model.startsWith("crucible/tiny-qwen3") ? "qwen3_instruct" : null;
}

export const searchTool = defineRecipe({
  name: "search_tool",
  summary:
    "Multi-turn tool-use RL: the policy calls a search tool over a local full-text index, then answers",
  description:
    "Each episode: the policy sees a question and the renderer's declaration of a `search` tool (a list of queries), " +
    "may call it up to max_num_calls times in the renderer's tool-call format (each call's top n_results documents " +
    "from a MiniSearch index come back as a tool message), then answers after 'Answer:'. reward = correct + " +
    "format_coef*(format-1), with correct = the normalised answer equals a reference answer (as the cookbook grades). " +
    "Bundled: a 31-document encyclopedia and 32 questions; or corpus_path / questions_path. Needs a renderer with a " +
    "tool-call format (qwen3*, qwen3_5, kimi_k2, nemotron3, ...).",
  schema: searchToolSchema,
  async resolve(cfg) {
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, SEARCH_TOOL_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(
      cfg.renderer_name,
      model_name,
      backend === "local" ? localToolRenderer(model_name) : null,
    );
    if (backend === "remote") await checkHubTokenizer(model_name);
    await checkToolRenderer(model_name, renderer_name);
    if (cfg.corpus_path) checkFileExists(cfg.corpus_path, "corpus_path");
    if (cfg.questions_path) checkFileExists(cfg.questions_path, "questions_path");
    const batch_size = await checkSearchInputs(
      cfg.corpus_path,
      cfg.questions_path,
      cfg.batch_size,
      backend === "local" ? 4 : 512,
    );
    if (cfg.stream_minibatch && batch_size % STREAM_NUM_MINIBATCHES !== 0)
      throw new ConfigError(
        `stream_minibatch needs batch_size divisible by ${STREAM_NUM_MINIBATCHES}, got ${batch_size}`,
        "batch_size",
      );
    const bs = `bs${batch_size}${cfg.stream_minibatch ? "_stream" : ""}`;
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/rl_search/search_r1_${modelSlug(model_name)}_${bs}_gs${cfg.group_size}_seed${cfg.seed}_tracj${Math.floor(cfg.max_trajectory_tokens / 1024)}k_lr${pyFloatStr(cfg.learning_rate)}_rank${cfg.lora_rank}_${runDate()}`;
    return { ...cfg, backend, model_name, renderer_name, renderer_name_given, batch_size, log_path };
  },
  async run(cfg, ctx) {
    const { runSearchTool } = await import("./run.js");
    return runSearchTool(cfg, ctx);
  },
});
