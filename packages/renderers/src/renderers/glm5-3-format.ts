import { RendererError } from "../errors.js";
import { type PyJson, pyJsonDumps, pyJsonLoads } from "../python-json.js";
import type { Content, Message, ToolCall, ToolSpec, UnparsedToolCall } from "../types.js";

// Python's str.isspace() set: `\s` in a `re` str pattern and the characters str.strip() removes. JavaScript's `\s`
// and trim() differ (they include U+FEFF and miss U+001C–U+001F and U+0085), so GLM's text handling uses this.
const PY_WS =
  "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP_RE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "gu");
const NON_WS_RE = new RegExp(`[^${PY_WS}]`, "u");

/** Python `str.strip()`: the GLM template strips an assistant's visible text. */
export function pyStrip(s: string): string {
  return s.replace(STRIP_RE, "");
}

function isBlank(s: string): boolean {
  return !NON_WS_RE.test(s);
}

// A whole `<tool_call>{name}…</tool_call>` block; the name is Python's unicode `[\w\-\.]+`.
const TOOL_CALL_RE = new RegExp(
  `^[${PY_WS}]*<tool_call>[${PY_WS}]*([\\p{L}\\p{N}_\\-.]+)[${PY_WS}]*([\\s\\S]*?)[${PY_WS}]*</tool_call>[${PY_WS}]*$`,
  "u",
);
const ARG_PAIR_RE = new RegExp(
  `<arg_key>([\\s\\S]*?)</arg_key>[${PY_WS}]*<arg_value>([\\s\\S]*?)</arg_value>`,
  "gu",
);

/** Tool-call arguments as an ordered map (an empty string is no arguments, as the cookbook treats it). */
function argumentsMap(tc: ToolCall): Map<string, PyJson> {
  if (!tc.function.arguments) return new Map();
  const parsed = pyJsonLoads(tc.function.arguments);
  if (!(parsed instanceof Map)) {
    throw new RendererError(
      `GLM-5.3 tool call ${tc.function.name}: arguments must be a JSON object (the template iterates its items), got ${tc.function.arguments}`,
    );
  }
  return parsed;
}

/** `<tool_call>{name}<arg_key>k</arg_key><arg_value>v</arg_value>…</tool_call>`: strings raw, other values as JSON. */
export function formatGlmToolCall(tc: ToolCall): string {
  let out = `<tool_call>${tc.function.name}`;
  for (const [key, value] of argumentsMap(tc)) {
    const v = typeof value === "string" ? value : pyJsonDumps(value, { ensureAscii: false });
    out += `<arg_key>${key}</arg_key><arg_value>${v}</arg_value>`;
  }
  return `${out}</tool_call>`;
}

/**
 * Parses one raw `<tool_call>…</tool_call>` block in GLM's key/value format. Values are JSON when they parse as JSON,
 * raw strings otherwise (so a string argument "3" comes back as the number 3, as in the cookbook).
 */
export function parseGlmToolCall(raw: string): ToolCall | UnparsedToolCall {
  const m = TOOL_CALL_RE.exec(raw);
  if (!m) return { rawText: raw, error: "Malformed GLM tool call" };
  const name = m[1] as string;
  const body = m[2] as string;
  const args = new Map<string, PyJson>();
  let pos = 0;
  ARG_PAIR_RE.lastIndex = 0;
  for (let pair = ARG_PAIR_RE.exec(body); pair !== null; pair = ARG_PAIR_RE.exec(body)) {
    if (!isBlank(body.slice(pos, pair.index))) {
      return { rawText: raw, error: "Unexpected content between tool call arguments" };
    }
    const key = pyStrip(pair[1] as string);
    if (!key) return { rawText: raw, error: "Empty tool call argument key" };
    const text = pair[2] as string;
    let value: PyJson;
    try {
      value = pyJsonLoads(text);
    } catch {
      value = text;
    }
    args.set(key, value);
    pos = pair.index + pair[0].length;
  }
  if (!isBlank(body.slice(pos))) {
    return { rawText: raw, error: "Unexpected trailing content inside tool call" };
  }
  return { type: "function", function: { name, arguments: pyJsonDumps(args) } };
}

/** Text of system/user/tool content; GLM-5.3 is text-only. */
export function glmVisibleText(content: Content): string {
  if (typeof content === "string") return content;
  return content
    .map((p) => {
      if (p.type === "text") return p.text;
      throw new RendererError(`GLM-5.3 renderer does not support "${p.type}" content parts here`);
    })
    .join("");
}

/**
 * Assistant content as (reasoning, visible text): thinking parts → reasoning (null when there is none), text parts →
 * text; a string is split on embedded `<think>…</think>` as the template does.
 */
export function splitGlmReasoning(content: Content): { reasoning: string | null; text: string } {
  if (typeof content === "string") {
    if (!content.includes("</think>")) return { reasoning: null, text: content };
    const pieces = content.split("</think>");
    return {
      reasoning: (pieces[0] as string).split("<think>").at(-1) as string,
      text: pieces.at(-1) as string,
    };
  }
  const reasoning: string[] = [];
  const text: string[] = [];
  for (const p of content) {
    if (p.type === "thinking") reasoning.push(p.thinking);
    else if (p.type === "text") text.push(p.text);
    else throw new RendererError(`GLM-5.3 renderer does not support "${p.type}" content parts`);
  }
  return { reasoning: reasoning.length > 0 ? reasoning.join("") : null, text: text.join("") };
}

/**
 * The template's tool-response sorting: a block of consecutive tool messages follows the preceding assistant's
 * tool-call order when every call id and every response id is present and unique and each response id names a
 * call; otherwise the block stays as given.
 */
function sortToolBlock(block: Message[], prev: Message | undefined): Message[] {
  if (prev?.role !== "assistant" || !prev.toolCalls || prev.toolCalls.length === 0) return block;
  const callIds = prev.toolCalls.map((tc) => tc.id);
  if (callIds.some((id) => !id) || new Set(callIds).size !== callIds.length) return block;
  const responseIds = block.map((m) => m.toolCallId);
  if (responseIds.some((id) => !id) || new Set(responseIds).size !== responseIds.length) return block;
  if (!responseIds.every((id) => callIds.includes(id))) return block;
  const byId = new Map(block.map((m) => [m.toolCallId, m]));
  return callIds.flatMap((id) => {
    const m = byId.get(id);
    return m ? [m] : [];
  });
}

/** Every block of consecutive tool responses re-sorted by `sortToolBlock` (a new list; the input is untouched). */
export function reorderGlmToolResults(messages: readonly Message[]): Message[] {
  const out: Message[] = [];
  let i = 0;
  while (i < messages.length) {
    if (messages[i]?.role !== "tool") {
      out.push(messages[i] as Message);
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < messages.length && messages[end + 1]?.role === "tool") end++;
    out.push(...sortToolBlock(messages.slice(i, end + 1), messages[i - 1]));
    i = end + 1;
  }
  return out;
}

/** Python truthiness of a JSON-like value (`defer_loading` is checked with `.get()`). */
function pyTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

/**
 * The tools system message of the GLM-5.3 template: tools with a truthy `defer_loading` are left out, the
 * `strict` / `defer_loading` keys are never serialised, one JSON object (key order kept, non-ASCII raw) per line.
 */
export function glmToolsSystemContent(tools: readonly ToolSpec[]): string {
  const lines = tools
    .filter((t) => !pyTruthy((t as unknown as Record<string, unknown>).defer_loading))
    .map((t) => {
      const kept = Object.entries(t).filter(([k]) => k !== "defer_loading" && k !== "strict");
      return `${pyJsonDumps(Object.fromEntries(kept) as PyJson, { ensureAscii: false })}\n`;
    })
    .join("");
  return (
    "\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
    `${lines}</tools>\n\n` +
    "For each function call, output the function name and arguments within the following XML format:\n" +
    "<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>" +
    "<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>"
  );
}
