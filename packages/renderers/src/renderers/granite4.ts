import { ensureText, parseThinkBlocks, toolCallPayloadJson } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { type PyJson, pyJsonDumps, pyJsonLoads } from "../python-json.js";
import { injectedSystemMessage, Renderer, textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  StopSequences,
  ToolCall,
  ToolSpec,
  UnparsedToolCall,
} from "../types.js";

/** The cookbook's static stand-in for the HF template's dated default system prompt. */
export const GRANITE4_DEFAULT_SYSTEM_PROMPT =
  "You are Granite, developed by IBM. You are a helpful AI assistant.";

export interface Granite4Options {
  /** Drop thinking from assistant messages that are not last (default true, as the cookbook). */
  stripThinkingFromHistory?: boolean;
}

const TOOL_CALL_RE = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g;
const TOOL_CALL_STRIP_RE = /\s*<tool_call>[\s\S]*?<\/tool_call>/g;

/**
 * Granite 4.0 (`ibm-granite/granite-4.0-*`), the cookbook's `Granite4Renderer` (granite4.py at d4511079, from an
 * unmerged pull request): `<|start_of_role|>role<|end_of_role|>…<|end_of_text|>`, messages separated by a newline at
 * the start of the next header, a default system message when the conversation has none, `<think>…</think>` verbatim
 * for thinking parts (stripped from earlier assistant messages by default), JSON `<tool_call>` blocks.
 */
export class Granite4Renderer extends Renderer {
  readonly name: string = "granite4";
  protected readonly stripThinkingFromHistory: boolean;

  constructor(tokenizer: Tokenizer, options: Granite4Options = {}) {
    super(tokenizer);
    this.stripThinkingFromHistory = options.stripThinkingFromHistory ?? true;
  }

  override get hasExtensionProperty(): boolean {
    return !this.stripThinkingFromHistory;
  }

  /** `_ensure_system_message`: the default system message first unless the conversation starts with one. */
  protected override normalizeMessages(messages: readonly Message[]): readonly Message[] {
    if (messages[0]?.role === "system") return messages;
    return [injectedSystemMessage(GRANITE4_DEFAULT_SYSTEM_PROMPT, messages), ...messages];
  }

  protected endOfText(): number {
    return this.tokenId("<|end_of_text|>");
  }

  /** The body before `<|end_of_text|>`, as `Granite4Renderer.render_message` builds `output_content`. */
  protected messageText(message: Message, ctx: RenderContext): string {
    if (message.role !== "assistant") return ensureText(message.content);
    const content = message.content;
    let text = "";
    if (typeof content === "string") {
      text = content;
    } else {
      const parts =
        this.stripThinkingFromHistory && !ctx.isLast ? content.filter((p) => p.type !== "thinking") : content;
      for (const p of parts) {
        if (p.type === "thinking") text += `<think>${p.thinking}</think>`;
        else if (p.type === "text") text += p.text;
        // The cookbook drops other parts silently; a text model refusing them is clearer.
        else
          throw new RendererError(`renderer ${this.name} cannot render ${p.type} parts (text models only)`);
      }
    }
    // Only a non-empty list adds the newline and the blocks (`if message["tool_calls"]`).
    if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
      text += `\n${message.toolCalls.map((tc) => `<tool_call>\n${toolCallPayloadJson(tc)}\n</tool_call>`).join("\n")}`;
    }
    return text;
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const header = `${ctx.idx > 0 ? "\n" : ""}<|start_of_role|>${message.role}<|end_of_role|>`;
    return {
      header: textChunk(this.encode(header)),
      output: [textChunk(this.encode(`${this.messageText(message, ctx)}<|end_of_text|>`))],
    };
  }

  getStopSequences(): StopSequences {
    return [this.endOfText()];
  }

  /**
   * Tool calls first (`<tool_call>` JSON with `name` and `arguments`; the blocks and the whitespace before them are cut
   * and the rest trimmed), then `<think>` blocks split into parts.
   */
  parseResponse(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(tokens, this.endOfText());
    if (!clean) return { message: { role: "assistant", content: text }, termination: "malformed" };
    const message: Message = { role: "assistant", content: text };
    const toolCalls: ToolCall[] = [];
    const unparsed: UnparsedToolCall[] = [];
    for (const m of text.matchAll(TOOL_CALL_RE)) {
      const r = parseGraniteToolCall(m[0], m[1] as string);
      if ("function" in r) toolCalls.push(r);
      else unparsed.push(r);
    }
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
    if (unparsed.length > 0) message.unparsedToolCalls = unparsed;
    let rest = text;
    if (toolCalls.length > 0 || unparsed.length > 0) rest = rest.replace(TOOL_CALL_STRIP_RE, "").trim();
    message.content = parseThinkBlocks(rest) ?? rest;
    return { message, termination: "stop_sequence" };
  }

  /** `reasoning_content` for thinking, arguments as the JSON string. */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  /** The prompt (or the default one) followed by Granite's tool list and `<tool_call>` instructions. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    let toolsText = "";
    if (tools.length > 0) {
      const lines = tools.map((t) => pyJsonDumps({ type: "function", function: t } as never)).join("\n");
      toolsText =
        "\n\nYou have access to the following tools. Use them by responding with <tool_call> XML tags:\n\n" +
        `<tools>\n${lines}\n</tools>\n\n` +
        "For each function call, return a JSON object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
        '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>';
    }
    return [{ role: "system", content: (systemPrompt || GRANITE4_DEFAULT_SYSTEM_PROMPT) + toolsText }];
  }
}

/**
 * One `<tool_call>` body: `name` and `arguments` (any JSON value, re-serialised as Python's json.dumps) are required.
 * The cookbook raises on a body that is not an object or a non-string name; here those become unparsed calls too.
 */
function parseGraniteToolCall(raw: string, body: string): ToolCall | UnparsedToolCall {
  let payload: PyJson;
  try {
    payload = pyJsonLoads(body);
  } catch (e) {
    return { rawText: raw, error: `Invalid JSON: ${(e as Error).message}` };
  }
  if (!(payload instanceof Map)) return { rawText: raw, error: "Tool call is not a JSON object" };
  const name = payload.get("name");
  if (typeof name !== "string") return { rawText: raw, error: "Missing or invalid 'name' field" };
  if (!payload.has("arguments")) return { rawText: raw, error: "Missing 'arguments' field" };
  return { type: "function", function: { name, arguments: pyJsonDumps(payload.get("arguments") as PyJson) } };
}

/**
 * `Granite4DisableThinkingRenderer`: the last assistant message's header gets an empty `<think>\n\n</think>\n\n` unless
 * the message already has thinking (a `<think>` in string content or a thinking part), so the generation prompt ends
 * with it. Reports the extension property, as the cookbook.
 */
export class Granite4DisableThinkingRenderer extends Granite4Renderer {
  override readonly name: string = "granite4_disable_thinking";

  override get hasExtensionProperty(): boolean {
    return true;
  }

  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const rendered = super.renderMessage(message, ctx);
    if (message.role !== "assistant" || !ctx.isLast) return rendered;
    const c = message.content;
    const thinks = typeof c === "string" ? c.includes("<think>") : c.some((p) => p.type === "thinking");
    if (thinks) return rendered;
    const header = [...(rendered.header?.tokens ?? []), ...this.encode("<think>\n\n</think>\n\n")];
    return { ...rendered, header: textChunk(header) };
  }
}
