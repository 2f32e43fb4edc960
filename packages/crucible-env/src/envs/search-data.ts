// Datasets of the search-tool env: the bundled corpus and questions, or a user's corpus and question files
// (JSONL / JSON / Parquet), shuffled with a seed and served as groups of SearchEnvs over one shared index.
import type { Renderer } from "@crucible/renderers";
import { DatasetSourceError, type Row, readRows } from "../data/rows.js";
import { ProblemGroupBuilder } from "../problem-env.js";
import type { EnvRenderer } from "../renderer.js";
import type { EnvGroupBuilder, RLDataset, RLDatasetBuilder } from "../types.js";
import { shuffleRows } from "./math.js";
import { BUNDLED_SEARCH_CORPUS, BUNDLED_SEARCH_QUESTIONS, type SearchQuestion } from "./search-corpus.js";
import { SearchEnv, type SearchEnvOptions, searchConvoPrefix } from "./search-env.js";
import { type SearchDocument, SearchIndex } from "./search-index.js";
import { LocalSearchTool } from "./search-tool.js";

/** Corpus rows: `text` (or `contents`), optional `title`, optional `id` (default: the row number). */
export function toSearchDocument(row: Row, i: number): SearchDocument {
  const text = row["text"] ?? row["contents"];
  if (typeof text !== "string" || text.trim().length === 0)
    throw new DatasetSourceError(`corpus row ${i}: needs a non-empty string "text" (or "contents")`);
  const title = row["title"] ?? "";
  if (typeof title !== "string") throw new DatasetSourceError(`corpus row ${i}: "title" must be a string`);
  const id = row["id"] ?? String(i);
  if (typeof id !== "string" && typeof id !== "number")
    throw new DatasetSourceError(`corpus row ${i}: "id" must be a string or number`);
  return { id: String(id), title, text };
}

/** Question rows: `question` and `answer` (a string or a list of accepted strings; also `answers`/`golden_answers`). */
export function toSearchQuestion(row: Row, i: number): SearchQuestion {
  const question = row["question"];
  if (typeof question !== "string" || question.trim().length === 0)
    throw new DatasetSourceError(`question row ${i}: needs a non-empty string "question"`);
  const raw = row["answer"] ?? row["answers"] ?? row["golden_answers"];
  const answers = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(answers) || answers.length === 0 || !answers.every((a) => typeof a === "string"))
    throw new DatasetSourceError(
      `question row ${i}: "answer" must be a string or a non-empty list of strings (the accepted answers)`,
    );
  return { question, answers: answers as string[] };
}

export async function loadSearchCorpus(path: string): Promise<SearchDocument[]> {
  return (await readRows(path)).map(toSearchDocument);
}

export async function loadSearchQuestions(path: string): Promise<SearchQuestion[]> {
  return (await readRows(path)).map(toSearchQuestion);
}

export interface SearchDatasetOptions extends Omit<SearchEnvOptions, "convoPrefix"> {
  renderer: EnvRenderer & Pick<Renderer, "createConversationPrefixWithTools">;
  /** Groups per batch (the cookbook's `batch_size`). */
  batchSize: number;
  groupSize: number;
  /** Shuffle seed of the questions. */
  seed: number;
  /** Documents returned per query. Default 3. */
  nResults?: number;
  /** Default: the bundled corpus. */
  corpus?: readonly SearchDocument[];
  /** Default: the bundled questions. */
  questions?: readonly SearchQuestion[];
}

/** One pass over the shuffled questions, `batchSize` groups per batch (a partial last batch is dropped). */
export class SearchDataset implements RLDataset {
  readonly questions: readonly SearchQuestion[];
  readonly tool: LocalSearchTool;

  constructor(readonly opts: SearchDatasetOptions) {
    const questions = opts.questions ?? BUNDLED_SEARCH_QUESTIONS;
    if (questions.length < opts.batchSize) {
      throw new DatasetSourceError(
        `search dataset: ${questions.length} questions is fewer than one batch of ${opts.batchSize}; lower the batch size`,
      );
    }
    this.questions = shuffleRows(questions, opts.seed);
    this.tool = new LocalSearchTool(
      new SearchIndex(opts.corpus ?? BUNDLED_SEARCH_CORPUS),
      opts.nResults ?? 3,
    );
  }

  get length(): number {
    return Math.floor(this.questions.length / this.opts.batchSize);
  }

  getBatch(index: number): EnvGroupBuilder[] {
    const { renderer, batchSize, groupSize } = this.opts;
    const convoPrefix = searchConvoPrefix(renderer, this.tool);
    const envOpts: SearchEnvOptions = { ...this.opts, convoPrefix };
    return this.questions
      .slice(index * batchSize, (index + 1) * batchSize)
      .map(
        (q) =>
          new ProblemGroupBuilder(() => new SearchEnv(renderer, q, this.tool, envOpts), groupSize, "search"),
      );
  }
}

export function searchDatasetBuilder(opts: SearchDatasetOptions): RLDatasetBuilder {
  return async () => ({ train: new SearchDataset(opts), test: null });
}
