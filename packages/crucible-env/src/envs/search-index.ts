// A full-text index over a small document collection (MiniSearch: BM25-style ranking, in memory), the local
// stand-in for the cookbook's Chroma + embedding retrieval in its tool-use search recipe.
import MiniSearch from "minisearch";

export interface SearchDocument {
  id: string;
  /** Shown above the text in results; also indexed (matches in titles rank higher). */
  title: string;
  text: string;
}

export interface SearchHit {
  document: SearchDocument;
  score: number;
}

export class SearchIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchIndexError";
  }
}

export class SearchIndex {
  private readonly engine: MiniSearch<SearchDocument>;
  private readonly byId = new Map<string, SearchDocument>();

  constructor(documents: readonly SearchDocument[]) {
    if (documents.length === 0) throw new SearchIndexError("search index: the corpus has no documents");
    for (const [i, d] of documents.entries()) {
      if (typeof d.id !== "string" || d.id.length === 0)
        throw new SearchIndexError(`search index: document ${i} has no id`);
      if (typeof d.text !== "string" || d.text.trim().length === 0)
        throw new SearchIndexError(`search index: document ${d.id} has no text`);
      if (this.byId.has(d.id)) throw new SearchIndexError(`search index: duplicate document id ${d.id}`);
      this.byId.set(d.id, d);
    }
    this.engine = new MiniSearch<SearchDocument>({
      fields: ["title", "text"],
      // Any query term may match; a little prefix and fuzzy matching tolerates plurals and typos.
      searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2, combineWith: "OR" },
    });
    this.engine.addAll(documents);
  }

  get size(): number {
    return this.byId.size;
  }

  /** The `k` best documents for `query`, best first; none when no query term matches. */
  search(query: string, k: number): SearchHit[] {
    return this.engine
      .search(query)
      .slice(0, k)
      .map((r) => ({ document: this.byId.get(String(r.id)) as SearchDocument, score: r.score }));
  }
}
