import { RendererError } from "./errors.js";
import { type PyJson, pyJsonDumps, pyJsonLoads } from "./python-json.js";
import type {
  Content,
  ContentPart,
  Message,
  ParseTermination,
  TextPart,
  ThinkingPart,
  ToolCall,
  UnparsedToolCall,
} from "./types.js";

/** String content, or the concatenation of the text parts (thinking dropped). */
export function getTextContent(message: Message): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c
    .filter((p): p is TextPart => p.type === "text")
    .map((p) => p.text)
    .join("");
}

/** String content, or the single text part of a list; anything else is an error. */
export function ensureText(content: Content): string {
  if (typeof content === "string") return content;
  if (content.length === 1 && content[0]?.type === "text") return content[0].text;
  throw new RendererError(
    `expected text content (a string or a single text part), got ${content.length} parts of types ${content.map((p) => p.type).join(", ")}`,
  );
}

/** Content as a list of parts (a string becomes one text part; an empty string none). */
export function ensureList(content: Content): ContentPart[] {
  if (typeof content === "string") return content.length > 0 ? [{ type: "text", text: content }] : [];
  return content;
}

/** Thinking as `<think>…</think>`, images as `<image>url</image>`, parts joined by `sep`. */
export function formatContentAsString(content: Content, sep = "\n"): string {
  if (typeof content === "string") return content;
  return content
    .map((p) =>
      p.type === "text"
        ? p.text
        : p.type === "thinking"
          ? `<think>${p.thinking}</think>`
          : `<image>${typeof p.image === "string" ? p.image : `Image(${p.image.byteLength} bytes)`}</image>`,
    )
    .join(sep);
}

export function hasThinking(content: Content): boolean {
  return typeof content === "string"
    ? content.includes("<think>")
    : content.some((p) => p.type === "thinking");
}

/** Concatenated thinking of list content ("" for strings). */
export function thinkingText(content: Content): string {
  return thinkingParts(content)
    .map((p) => p.thinking)
    .join("");
}

export function thinkingParts(content: Content): ThinkingPart[] {
  return typeof content === "string" ? [] : content.filter((p): p is ThinkingPart => p.type === "thinking");
}

/** `{"name": …, "arguments": …}` as Python json.dumps renders it. */
export function toolCallPayloadJson(tc: ToolCall): string {
  const payload = new Map<string, PyJson>([
    ["name", tc.function.name],
    ["arguments", pyJsonLoads(tc.function.arguments)],
  ]);
  return pyJsonDumps(payload);
}

/** Parses a `<tool_call>` JSON body into a ToolCall (arguments re-serialised Python-style) or an UnparsedToolCall. */
export function parseToolCallJson(raw: string, body: string): ToolCall | UnparsedToolCall {
  let parsed: PyJson;
  try {
    parsed = pyJsonLoads(body.trim());
  } catch (e) {
    return { rawText: raw, error: `Invalid JSON: ${(e as Error).message}` };
  }
  if (!(parsed instanceof Map)) return { rawText: raw, error: "Tool call is not a JSON object" };
  const name = parsed.get("name");
  if (typeof name !== "string") return { rawText: raw, error: "Missing or invalid 'name' field" };
  const args = parsed.get("arguments");
  if (!(args instanceof Map)) return { rawText: raw, error: "Missing or invalid 'arguments' field" };
  const tc: ToolCall = { type: "function", function: { name, arguments: pyJsonDumps(args) } };
  const id = parsed.get("id");
  if (typeof id === "string") tc.id = id;
  return tc;
}

export function isToolCall(x: ToolCall | UnparsedToolCall): x is ToolCall {
  return (x as ToolCall).function !== undefined;
}

export interface ContentBlocks {
  parts: ContentPart[];
  toolCalls: ToolCall[];
  unparsedToolCalls: UnparsedToolCall[];
}

const BLOCK_RE = /<think>([\s\S]*?)<\/think>|<tool_call>([\s\S]*?)<\/tool_call>/g;
const THINK_RE = /<think>([\s\S]*?)<\/think>/g;

function scanBlocks(s: string, re: RegExp, withTools: boolean): ContentBlocks {
  const parts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const unparsedToolCalls: UnparsedToolCall[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m.index > last) parts.push({ type: "text", text: s.slice(last, m.index) });
    if (m[1] !== undefined) {
      if (m[1].length > 0) parts.push({ type: "thinking", thinking: m[1] });
    } else if (withTools && m[2] !== undefined) {
      const r = parseToolCallJson(m[0], m[2]);
      if (isToolCall(r)) toolCalls.push(r);
      else unparsedToolCalls.push(r);
    }
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push({ type: "text", text: s.slice(last) });
  return { parts, toolCalls, unparsedToolCalls };
}

/** Splits `<think>` and `<tool_call>` blocks out of a response; null when neither tag occurs. */
export function parseContentBlocks(s: string): ContentBlocks | null {
  if (!s.includes("<think>") && !s.includes("<tool_call>")) return null;
  return scanBlocks(s, BLOCK_RE, true);
}

/** Like parseContentBlocks but only `<think>` blocks; null when there is none. */
export function parseThinkBlocks(s: string): ContentPart[] | null {
  if (!s.includes("<think>")) return null;
  return scanBlocks(s, THINK_RE, false).parts;
}

/** An unterminated tool block (more opens than closes) as an UnparsedToolCall, else null. */
export function detectUnterminatedToolBlock(
  content: string,
  open: string,
  close: string,
): UnparsedToolCall | null {
  const opens = content.split(open).length - 1;
  const closes = content.split(close).length - 1;
  if (opens <= closes) return null;
  return {
    rawText: content.slice(content.lastIndexOf(open)).slice(0, 16384),
    error: `unterminated tool block: '${open}' opened without a matching '${close}'`,
  };
}

export type ParseFailureKind = "structural" | "content";

/** malformed → structural; unparsed tool calls → content (errors joined); otherwise null. */
export function classifyParseFailure(
  message: Message,
  termination: ParseTermination,
): { kind: ParseFailureKind; detail: string } | null {
  if (termination === "malformed")
    return { kind: "structural", detail: "response was not terminated cleanly" };
  if (message.unparsedToolCalls && message.unparsedToolCalls.length > 0) {
    return {
      kind: "content",
      detail: message.unparsedToolCalls
        .map((u) => u.error)
        .join("\n")
        .slice(0, 16384),
    };
  }
  return null;
}
