// The `search` tool the policy calls: the cookbook's tool schema (a list of queries, a few documents per query)
// answered from a local SearchIndex, its results returned as one tool message.
import type { ToolCall, ToolSpec } from "@crucible/renderers";
import type { EnvMessage } from "../renderer.js";
import type { SearchIndex } from "./search-index.js";

export const SEARCH_TOOL_NAME = "search";

export const SEARCH_TOOL_SPEC: ToolSpec = {
  name: SEARCH_TOOL_NAME,
  description: "Searches a document collection for passages relevant to the given queries.",
  parameters: {
    type: "object",
    properties: {
      query_list: {
        type: "array",
        items: { type: "string" },
        description: "A list of fully-formed queries. The tool returns search results for each query.",
      },
    },
    required: ["query_list"],
  },
};

/** A call the env cannot run at all (another tool, arguments that are not JSON): the episode ends. */
export class ToolCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolCallError";
  }
}

export class LocalSearchTool {
  constructor(
    readonly index: SearchIndex,
    /** Documents returned per query (the cookbook's `n_results`). */
    readonly nResults = 3,
  ) {
    if (!Number.isInteger(nResults) || nResults < 1)
      throw new RangeError(`LocalSearchTool: nResults must be a positive integer, got ${nResults}`);
  }

  get spec(): ToolSpec {
    return SEARCH_TOOL_SPEC;
  }

  /**
   * Runs one call. Arguments without a usable `query_list` get an error message back as the tool result (the
   * policy may retry, as in the cookbook); a call the tool cannot interpret throws ToolCallError.
   */
  invoke(call: ToolCall): EnvMessage[] {
    if (call.function.name !== SEARCH_TOOL_NAME)
      throw new ToolCallError(`unknown tool ${JSON.stringify(call.function.name)}; the only tool is search`);
    let args: unknown;
    try {
      args = JSON.parse(call.function.arguments);
    } catch {
      throw new ToolCallError(`search arguments are not JSON: ${call.function.arguments.slice(0, 200)}`);
    }
    const queries =
      typeof args === "object" && args !== null ? (args as Record<string, unknown>)["query_list"] : null;
    if (!Array.isArray(queries))
      return [this.reply(call, "Error invoking search tool: query_list is required")];
    if (queries.length === 0 || !queries.every((q) => typeof q === "string" && q.trim().length > 0)) {
      return [this.reply(call, "Error invoking search tool: query_list must be a list of non-empty strings")];
    }
    let text = "";
    for (const q of queries as string[]) {
      text += `Query: ${q}\n`;
      this.index.search(q, this.nResults).forEach((hit, i) => {
        text += `Document ${i + 1}:\n${formatDocument(hit.document.title, hit.document.text)}\n`;
      });
    }
    return [this.reply(call, text)];
  }

  private reply(call: ToolCall, content: string): EnvMessage {
    const m: EnvMessage = { role: "tool", content, name: SEARCH_TOOL_NAME };
    if (call.id !== undefined) m.toolCallId = call.id;
    return m;
  }
}

function formatDocument(title: string, text: string): string {
  return title ? `${title}\n${text}` : text;
}
