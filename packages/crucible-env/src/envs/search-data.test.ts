// The search env's inputs from a user's files, and the index's checks on them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatasetSourceError } from "../data/rows.js";
import { loadSearchCorpus, loadSearchQuestions, toSearchQuestion } from "./search-data.js";
import { SearchIndex, SearchIndexError } from "./search-index.js";
import { LocalSearchTool, ToolCallError } from "./search-tool.js";

const dir = mkdtempSync(join(tmpdir(), "crucible-search-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, rows: unknown[]): string {
  const p = join(dir, name);
  writeFileSync(p, rows.map((r) => JSON.stringify(r)).join("\n"));
  return p;
}

describe("search data from files", () => {
  it("reads a corpus (text or contents; title and id optional) and questions (answer string or list)", async () => {
    const corpus = await loadSearchCorpus(
      jsonl("corpus.jsonl", [
        { id: "a", title: "Zorblat", text: "Zorblat is the capital of Quenia." },
        { contents: "The river Imm flows into Lake Wend." },
      ]),
    );
    expect(corpus).toEqual([
      { id: "a", title: "Zorblat", text: "Zorblat is the capital of Quenia." },
      { id: "1", title: "", text: "The river Imm flows into Lake Wend." },
    ]);
    const qs = await loadSearchQuestions(
      jsonl("qa.jsonl", [
        { question: "What is the capital of Quenia?", answer: "Zorblat" },
        { question: "Where does the Imm flow?", golden_answers: ["Lake Wend", "Wend"] },
      ]),
    );
    expect(qs.map((q) => q.answers)).toEqual([["Zorblat"], ["Lake Wend", "Wend"]]);
    const tool = new LocalSearchTool(new SearchIndex(corpus), 1);
    const [msg] = tool.invoke({
      type: "function",
      function: { name: "search", arguments: '{"query_list":["Imm river"]}' },
    });
    expect(msg!.content).toBe("Query: Imm river\nDocument 1:\nThe river Imm flows into Lake Wend.\n");
  });

  it("names the row and field of a bad row", async () => {
    await expect(loadSearchCorpus(jsonl("bad-corpus.jsonl", [{ body: "x" }]))).rejects.toThrow(
      /corpus row 0: needs a non-empty string "text"/,
    );
    expect(() => toSearchQuestion({ question: "q", answer: [] }, 3)).toThrow(DatasetSourceError);
    expect(() => toSearchQuestion({ question: "q", answer: [1] }, 3)).toThrow(/question row 3: "answer"/);
    await expect(loadSearchQuestions(join(dir, "missing.jsonl"))).rejects.toThrow(/not found/);
  });

  it("the index refuses empty corpora, empty texts and duplicate ids", () => {
    expect(() => new SearchIndex([])).toThrow(SearchIndexError);
    expect(() => new SearchIndex([{ id: "a", title: "", text: " " }])).toThrow(/document a has no text/);
    const d = { id: "a", title: "", text: "x" };
    expect(() => new SearchIndex([d, d])).toThrow(/duplicate document id a/);
  });

  it("a query that matches nothing returns the query line only; an unparsable call throws", () => {
    const tool = new LocalSearchTool(new SearchIndex([{ id: "a", title: "", text: "apples and pears" }]));
    const args = (a: string) => ({ type: "function" as const, function: { name: "search", arguments: a } });
    expect(tool.invoke(args('{"query_list":["zzzz qqqq"]}'))[0]!.content).toBe("Query: zzzz qqqq\n");
    expect(() => tool.invoke(args("{not json"))).toThrow(ToolCallError);
    expect(tool.invoke(args('{"query_list":[""]}'))[0]!.content).toMatch(/non-empty strings/);
  });
});
