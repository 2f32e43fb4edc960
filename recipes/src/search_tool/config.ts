// search_tool: RL with a search tool over a local full-text index (cookbook recipes/tool_use/search/rl_search.py).
// The policy calls `search` in its renderer's tool-call format, reads the results and answers; the reward grades
// the answer against the reference answers. Config fields and defaults are rl_search.py's command-line options.
import { ConfigError } from "../cli/errors.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
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
import { SEARCH_TOOL_REMOTE_MODEL, STREAM_NUM_MINIBATCHES, searchToolSchema } from "./schema.js";

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
    await checkEvalLists(cfg);
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
