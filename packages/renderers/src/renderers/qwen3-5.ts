import { hasThinking, isToolCall } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import {
  type PyJson,
  PyNumber,
  PythonJsonError,
  pyFloatRepr,
  pyJsonDumps,
  pyJsonLoads,
} from "../python-json.js";
import type {
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  Role,
  ToolCall,
  ToolSpec,
  UnparsedToolCall,
} from "../types.js";
import { Qwen3VLRenderer } from "./qwen3-vl.js";

const EMPTY_THINK = "<think>\n\n</think>\n\n";

/** The call-format instructions after `</tools>` (Qwen3.5 and Nemotron-3 templates). */
export const QWEN3_5_TOOL_INSTRUCTIONS =
  "If you choose to call a function ONLY reply in the following format with NO suffix:\n\n" +
  "<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n" +
  "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n" +
  "</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n" +
  "- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested " +
  "within <tool_call></tool_call> XML tags\n- Required parameters MUST be specified\n" +
  "- You may provide optional reasoning for your function call in natural language BEFORE the function call, " +
  "but NOT after\n- If there is no function call available, answer the question like normal with your current " +
  "knowledge and do not tell the user about function calls\n</IMPORTANT>";

/** Python `str(value)` for a JSON scalar (tool-call parameter values). */
export function pyStr(v: PyJson): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  if (v instanceof PyNumber) return v.kind === "int" ? (v.intText ?? String(v.value)) : pyFloatRepr(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  return pyJsonDumps(v);
}

/** `<tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n</parameter>\n…</function>\n</tool_call>` */
export function formatQwen35ToolCall(tc: ToolCall, formatScalar: (v: PyJson) => string = pyStr): string {
  const args = tc.function.arguments ? pyJsonLoads(tc.function.arguments) : new Map<string, PyJson>();
  if (!(args instanceof Map))
    throw new RendererError(`tool call ${tc.function.name}: arguments must be a JSON object`);
  const lines = [`<tool_call>\n<function=${tc.function.name}>`];
  for (const [k, v] of args) {
    const value = v instanceof Map || Array.isArray(v) ? pyJsonDumps(v) : formatScalar(v);
    lines.push(`<parameter=${k}>\n${value}\n</parameter>`);
  }
  lines.push("</function>\n</tool_call>");
  return lines.join("\n");
}

const FUNCTION_BLOCK_RE =
  /^\s*<tool_call>\s*<function=([^>\n]+)>\s*([\s\S]*?)\s*<\/function>\s*<\/tool_call>\s*$/;
const PARAM_RE = /<parameter=([^>\n]+)>\s*([\s\S]*?)\s*<\/parameter>/g;

/** Parses one XML `<tool_call>` block; values that are valid JSON are decoded, others kept as strings. */
export function parseQwen35ToolCall(raw: string): ToolCall | UnparsedToolCall {
  const m = FUNCTION_BLOCK_RE.exec(raw);
  if (!m) return { rawText: raw, error: "Malformed Qwen3.5 tool call XML" };
  const name = (m[1] as string).trim();
  const body = m[2] as string;
  if (!name) return { rawText: raw, error: "Missing function name" };
  const args = new Map<string, PyJson>();
  let pos = 0;
  PARAM_RE.lastIndex = 0;
  for (let p = PARAM_RE.exec(body); p !== null; p = PARAM_RE.exec(body)) {
    if (body.slice(pos, p.index).trim()) {
      return { rawText: raw, error: "Unexpected non-parameter content inside <function> block" };
    }
    const pname = (p[1] as string).trim();
    if (!pname) return { rawText: raw, error: "Empty parameter name" };
    const text = (p[2] as string).replace(/^\n+|\n+$/g, "");
    let value: PyJson;
    try {
      value = pyJsonLoads(text);
    } catch (e) {
      if (!(e instanceof PythonJsonError)) throw e;
      value = text;
    }
    args.set(pname, value);
    pos = p.index + p[0].length;
  }
  if (body.slice(pos).trim())
    return { rawText: raw, error: "Unexpected trailing content inside <function> block" };
  return { type: "function", function: { name, arguments: pyJsonDumps(args) } };
}

/**
 * Qwen3.5 / 3.6 (`Qwen3_5Renderer`, on the VL renderer): the generation prompt opens `<think>\n`; assistant turns
 * after the last user message get `<think>\n\n</think>\n\n` in their header when their content has no thinking;
 * XML tool calls; consecutive tool results share one user block; string content is stripped.
 */
export class Qwen35Renderer extends Qwen3VLRenderer {
  override readonly name: string = "qwen3_5";
  protected override readonly groupsConsecutiveToolResponses: boolean = true;

  protected suffixString(role: Role, idx: number): string {
    return `${idx > 0 ? "\n" : ""}<|im_start|>${role}\n<think>\n`;
  }

  protected override generationSuffix(role: Role, ctx: RenderContext): number[] {
    return this.encode(this.suffixString(role, ctx.idx));
  }

  /** Only the produced turn sits after the prefill, so only its header is split at the prefill. */
  protected override generationSuffixInHeader(message: Message, ctx: RenderContext): string {
    if (message.role !== "assistant" || !ctx.isLast) return "";
    return this.suffixString("assistant", ctx.idx);
  }

  /** Asks about the message's own content, thinking that history stripping will drop included (as Python does). */
  protected override assistantHeaderSuffix(message: Message, ctx: RenderContext): string {
    if (ctx.idx <= ctx.lastUserIndex) return "";
    return hasThinking(message.content) ? "" : EMPTY_THINK;
  }

  protected override formatThinkingText(thinking: string): string {
    return `<think>\n${thinking}\n</think>\n\n`;
  }

  /** Blank line before the first call only when the content has visible text or an image. */
  protected override formatToolCallsText(message: Message): string {
    const c = message.content;
    const visible =
      typeof c === "string"
        ? c.trim().length > 0
        : c.some((p) => (p.type === "text" && p.text.trim().length > 0) || p.type === "image");
    return (
      (visible ? "\n\n" : "") + (message.toolCalls ?? []).map((tc) => this.formatToolCall(tc)).join("\n")
    );
  }

  /** `_format_tool_call_xml`: scalars through Python `str()` (the Qwen3.5 template's `|string`). */
  protected formatToolCall(tc: ToolCall): string {
    return formatQwen35ToolCall(tc);
  }

  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const m = typeof message.content === "string" ? { ...message, content: message.content.trim() } : message;
    return super.renderMessage(m, ctx);
  }

  /** Restores the prefilled `<think>\n` when the response closes a think block it did not open. */
  protected override normalizeResponseTokens(tokens: readonly number[]): readonly number[] {
    const thinkOpen = this.encode("<think>\n");
    const thinkClose = this.tokenId("</think>");
    const startsWithThink = thinkOpen.every((t, i) => tokens[i] === t);
    if (!startsWithThink && tokens.includes(thinkClose)) return [...thinkOpen, ...tokens];
    return tokens;
  }

  override parseResponse(tokens: readonly number[]): ParseResult {
    const result = super.parseResponse(tokens);
    if (result.termination !== "stop_sequence") return result;
    this.postprocessParsedMessage(result.message);
    return result;
  }

  protected override parseResponseForStreaming(tokens: readonly number[]): ParseResult {
    const result = super.parseResponseForStreaming(tokens);
    this.postprocessParsedMessage(result.message);
    return result;
  }

  /** Tool-call arguments as an object (the template iterates them with `|items`). */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: true });
  }

  /** Tools (one JSON object per line) first, then the system prompt. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    let toolsText = "";
    if (tools.length > 0) {
      const lines = tools.map((t) => pyJsonDumps(t as never)).join("\n");
      toolsText = `# Tools\n\nYou have access to the following functions:\n\n<tools>\n${lines}\n</tools>\n\n${QWEN3_5_TOOL_INSTRUCTIONS}`;
    }
    const content = toolsText ? (systemPrompt ? `${toolsText}\n\n${systemPrompt}` : toolsText) : systemPrompt;
    return [{ role: "system", content }];
  }

  protected postprocessParsedMessage(message: Message): void {
    postprocessQwen35Message(message);
  }
}

/** `_postprocess_parsed_message`: trim thinking, drop the template's two separator newlines, convert XML calls. */
export function postprocessQwen35Message(message: Message): void {
  if (typeof message.content !== "string") {
    let seen = false;
    let fixed = false;
    message.content = message.content.map((p) => {
      if (p.type === "thinking") {
        seen = true;
        return { type: "thinking", thinking: p.thinking.trim() };
      }
      if (p.type === "text" && seen && !fixed) {
        fixed = true;
        return p.text.startsWith("\n\n") ? { type: "text", text: p.text.slice(2) } : p;
      }
      return p;
    });
  }
  const converted: ToolCall[] = [];
  const remaining: UnparsedToolCall[] = [];
  for (const u of message.unparsedToolCalls ?? []) {
    if (u.error.startsWith("unterminated tool block") || !u.rawText.includes("<function=")) {
      remaining.push(u);
      continue;
    }
    const parsed = parseQwen35ToolCall(u.rawText);
    if (isToolCall(parsed)) converted.push(parsed);
    else remaining.push(parsed);
  }
  if (converted.length > 0) message.toolCalls = [...(message.toolCalls ?? []), ...converted];
  if (remaining.length > 0) message.unparsedToolCalls = remaining;
  else delete message.unparsedToolCalls;
}

/** Qwen3.5 with reasoning off: the generation prompt closes an empty think block. */
export class Qwen35DisableThinkingRenderer extends Qwen35Renderer {
  override readonly name: string = "qwen3_5_disable_thinking";

  override get disablesThinking(): boolean {
    return true;
  }

  protected override suffixString(role: Role, idx: number): string {
    return `${idx > 0 ? "\n" : ""}<|im_start|>${role}\n${EMPTY_THINK}`;
  }
}
