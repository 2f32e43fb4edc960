// search_tool's checks before anything is written: the renderer must declare and parse tool calls, and the
// corpus / question files must load into an index and at least one batch.
import type { SearchDocument, SearchQuestion } from "@crucible/env";
import { ConfigError } from "../cli/errors.js";
import { tokenizerNameFor } from "../common/resolve.js";

export async function checkToolRenderer(model: string, rendererName: string): Promise<void> {
  const r = await import("@crucible/renderers");
  const { SEARCH_TOOL_SPEC } = await import("@crucible/env");
  const renderer = r.getRenderer(rendererName, await r.getTokenizer(tokenizerNameFor(model)));
  try {
    renderer.createConversationPrefixWithTools([SEARCH_TOOL_SPEC]);
  } catch (e) {
    if (!(e instanceof r.RendererError)) throw e;
    throw new ConfigError(
      `renderer_name=${rendererName} has no tool-call format, so the policy cannot call the search tool; use e.g. qwen3_instruct, qwen3, qwen3_5 or kimi_k2`,
      "renderer_name",
    );
  }
}

export interface SearchInputs {
  corpus: SearchDocument[] | undefined;
  questions: SearchQuestion[] | undefined;
}

/** The user's files (undefined = bundled), loaded and checked; bad rows become ConfigErrors naming the field. */
export async function loadSearchInputs(
  corpusPath: string | null,
  questionsPath: string | null,
): Promise<SearchInputs> {
  const env = await import("@crucible/env");
  const load = async <T>(path: string | null, field: string, f: (p: string) => Promise<T>) => {
    if (!path) return undefined;
    try {
      return await f(path);
    } catch (e) {
      if (e instanceof env.DatasetSourceError) throw new ConfigError(`${field}=${path}: ${e.message}`, field);
      throw e;
    }
  };
  return {
    corpus: await load(corpusPath, "corpus_path", env.loadSearchCorpus),
    questions: await load(questionsPath, "questions_path", env.loadSearchQuestions),
  };
}

/** Checks the files and returns the batch size: the given one (at most the question count), or None's default capped to it. */
export async function checkSearchInputs(
  corpusPath: string | null,
  questionsPath: string | null,
  batchSize: number | null,
  defaultBatchSize: number,
): Promise<number> {
  const env = await import("@crucible/env");
  const { corpus, questions } = await loadSearchInputs(corpusPath, questionsPath);
  if (corpus) {
    try {
      new env.SearchIndex(corpus);
    } catch (e) {
      if (e instanceof env.SearchIndexError)
        throw new ConfigError(`corpus_path=${corpusPath}: ${e.message}`, "corpus_path");
      throw e;
    }
  }
  const n = (questions ?? env.BUNDLED_SEARCH_QUESTIONS).length;
  if (batchSize === null) return Math.min(defaultBatchSize, n);
  if (n < batchSize)
    throw new ConfigError(
      `batch_size=${batchSize} is more than the ${n} questions${questionsPath ? ` in ${questionsPath}` : " bundled"}; lower batch_size`,
      "batch_size",
    );
  return batchSize;
}
