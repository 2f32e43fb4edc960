import {
  detectUnterminatedToolBlock,
  ensureList,
  hasThinking,
  parseContentBlocks,
  toolCallPayloadJson,
} from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { pyJsonDumps } from "../python-json.js";
import { Renderer, textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  ContentPart,
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  Role,
  StopSequences,
  ToolSpec,
} from "../types.js";

export interface Qwen3Options {
  /** Drop thinking from assistant messages that are not last (default true, as Qwen's template does). */
  stripThinkingFromHistory?: boolean;
}

const EMPTY_THINK = "<think>\n\n</think>\n\n";

function stripNewlines(s: string): string {
  return s.replace(/^\n+/, "").replace(/\n+$/, "");
}

/** `<think>\nR\n</think>\n\n` + text, mirroring the HF template's normalisation of the produced turn. */
export function frameThinking(reasoning: string, text: string): string {
  return `<think>\n${stripNewlines(reasoning)}\n</think>\n\n${text}`;
}

/** Qwen3's tools system text (also Step-3.5-Flash's): `systemPrompt`, a blank line, `# Tools` and one JSON tool a line. */
export function qwen3ToolsSystemText(tools: readonly ToolSpec[], systemPrompt: string): string {
  let toolsText = "";
  if (tools.length > 0) {
    const lines = tools.map((t) => pyJsonDumps({ type: "function", function: t } as never)).join("\n");
    toolsText =
      "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
      `You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${lines}\n</tools>\n\n` +
      "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
      '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>';
  }
  return systemPrompt ? `${systemPrompt}\n\n${toolsText}` : toolsText;
}

/**
 * Qwen3 ChatML: `<|im_start|>role\n…<|im_end|>`, the separating newline at the start of the next header.
 * Content is encoded with special tokens split (user text can never forge `<|im_start|>`).
 */
export class Qwen3Renderer extends Renderer {
  readonly name: string = "qwen3";
  protected readonly stripThinkingFromHistory: boolean;
  /** Whether the produced turn gets the `<think>\n…\n</think>\n\n` frame (false for the 2507 instruct models). */
  protected readonly framesThinking: boolean = true;

  constructor(tokenizer: Tokenizer, options: Qwen3Options = {}) {
    super(tokenizer);
    this.stripThinkingFromHistory = options.stripThinkingFromHistory ?? true;
  }

  override get hasExtensionProperty(): boolean {
    return !this.stripThinkingFromHistory;
  }

  protected imEnd(): number {
    return this.tokenId("<|im_end|>");
  }

  protected header(role: Role, idx: number): string {
    return `${idx > 0 ? "\n" : ""}<|im_start|>${role === "tool" ? "user" : role}\n`;
  }

  protected isFramed(message: Message, ctx: RenderContext): boolean {
    return (
      this.framesThinking &&
      message.role === "assistant" &&
      ctx.lastUserIndex >= 0 &&
      (ctx.isLast || !this.stripThinkingFromHistory)
    );
  }

  /**
   * The message body as text (before `<|im_end|>`); mirrors `Qwen3Renderer.render_message` line by line.
   * Images are refused rather than dropped (the cookbook's text renderer drops them silently).
   */
  protected messageText(message: Message, ctx: RenderContext): string {
    const content = message.content;
    const framed = this.isFramed(message, ctx);
    const hasReasoning = hasThinking(content);
    let text: string;
    if (typeof content !== "string") {
      let parts: ContentPart[] = content;
      if (this.stripThinkingFromHistory && message.role === "assistant" && !ctx.isLast) {
        parts = parts.filter((p) => p.type !== "thinking");
      }
      text = "";
      let afterBlock = false;
      for (const p of parts) {
        if (p.type === "thinking") {
          text += framed ? frameThinking(p.thinking, "") : `<think>${p.thinking}</think>`;
          afterBlock = framed;
        } else if (p.type === "text") {
          text += afterBlock ? p.text.replace(/^\n+/, "") : p.text;
          afterBlock = false;
        } else {
          throw new RendererError(`renderer ${this.name} cannot render ${p.type} parts (text models only)`);
        }
      }
    } else if (framed && content.includes("</think>")) {
      // Python: reasoning, _, rest = content.partition("</think>"); reasoning.rpartition("<think>")[2]
      const cut = content.indexOf("</think>");
      const before = content.slice(0, cut);
      const open = before.lastIndexOf("<think>");
      const reasoning = open < 0 ? before : before.slice(open + "<think>".length);
      text = frameThinking(reasoning, content.slice(cut + "</think>".length).replace(/^\n+/, ""));
    } else {
      text = content;
    }
    // The separator before tool calls asks about the message's own text, not the empty block added below.
    const hasText = text.length > 0;
    if (framed && !hasReasoning) text = EMPTY_THINK + text.replace(/^\n+/, "");
    if (message.role === "tool") text = `<tool_response>\n${text}\n</tool_response>`;
    if (message.toolCalls !== undefined) {
      const calls = message.toolCalls
        .map((tc) => `<tool_call>\n${toolCallPayloadJson(tc)}\n</tool_call>`)
        .join("\n");
      text += (hasText ? "\n" : "") + calls;
    }
    return text;
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const body = this.encode(this.messageText(message, ctx), false);
    return {
      header: textChunk(this.encode(this.header(message.role, ctx.idx))),
      output: [textChunk(body), textChunk([this.imEnd()])],
    };
  }

  getStopSequences(): StopSequences {
    return [this.imEnd()];
  }

  /** A system message: the prompt, a blank line, then `# Tools` with one OpenAI-style JSON tool per line. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    return [{ role: "system", content: qwen3ToolsSystemText(tools, systemPrompt) }];
  }

  override get supportsStreaming(): boolean {
    return true;
  }
  protected override streamEndToken(): number {
    return this.imEnd();
  }
  /** `_parse_response_for_streaming`: blocks parsed even without the stop token. */
  protected override parseResponseForStreaming(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(tokens, this.imEnd());
    return { message: this.parseText(text), termination: clean ? "stop_sequence" : "malformed" };
  }

  /** `reasoning_content` for thinking, arguments as the JSON string. */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(
      this.normalizeResponseTokens(tokens),
      this.imEnd(),
    );
    if (!clean) return { message: { role: "assistant", content: text }, termination: "malformed" };
    return { message: this.parseText(text), termination: "stop_sequence" };
  }

  /** Splits think blocks and tool calls out of the decoded response text. */
  protected parseText(text: string): Message {
    const message: Message = { role: "assistant", content: text };
    const blocks = parseContentBlocks(text);
    if (blocks) {
      message.content = this.framesThinking ? unframeThinking(blocks.parts) : blocks.parts;
      if (blocks.toolCalls.length > 0) message.toolCalls = blocks.toolCalls;
      if (blocks.unparsedToolCalls.length > 0) message.unparsedToolCalls = blocks.unparsedToolCalls;
    }
    const unterminated = detectUnterminatedToolBlock(text, "<tool_call>", "</tool_call>");
    if (unterminated) message.unparsedToolCalls = [...(message.unparsedToolCalls ?? []), unterminated];
    return message;
  }
}

/** Inverse of the frame (`_unframe_thinking`): thinking `.strip("\n")`, empty thinking dropped, text after a block lstrip("\n"). */
export function unframeThinking(parts: ContentPart[]): ContentPart[] {
  const out: ContentPart[] = [];
  let afterThinking = false;
  for (const p of parts) {
    if (p.type === "thinking") {
      const t = stripNewlines(p.thinking);
      if (t.length > 0) out.push({ type: "thinking", thinking: t });
      afterThinking = true;
    } else if (p.type === "text") {
      // Kept even when empty, as `_unframe_thinking` keeps it.
      out.push({ type: "text", text: afterThinking ? p.text.replace(/^\n+/, "") : p.text });
      afterThinking = false;
    } else {
      out.push(p);
      afterThinking = false;
    }
  }
  return out;
}

/** Reasoning off: the generation prompt closes an empty think block; reasoning targets are refused. */
export class Qwen3DisableThinkingRenderer extends Qwen3Renderer {
  override readonly name: string = "qwen3_disable_thinking";

  override get disablesThinking(): boolean {
    return true;
  }

  protected override generationSuffix(role: Role, ctx: RenderContext): number[] {
    const h = this.header(role, ctx.idx);
    return this.encode(role === "assistant" ? `${h}${EMPTY_THINK}` : h);
  }

  override buildSupervisedExample(...args: Parameters<Qwen3Renderer["buildSupervisedExample"]>) {
    const [messages] = args;
    const last = messages[messages.length - 1];
    if (
      last?.role === "assistant" &&
      ensureList(last.content).length > 0 &&
      messages.every((m) => m.role !== "user")
    ) {
      throw new RendererError(
        `renderer ${this.name}: the conversation has no user message, so the generation prompt cannot hold the empty think block`,
      );
    }
    return super.buildSupervisedExample(...args);
  }
}

/**
 * Qwen3 2507 Instruct models: no thinking frame; thinking parts of the last message render verbatim as
 * `<think>…</think>`, those of earlier assistant messages are dropped (as in the cookbook).
 */
export class Qwen3InstructRenderer extends Qwen3Renderer {
  override readonly name: string = "qwen3_instruct";
  protected override readonly framesThinking: boolean = false;

  /**
   * Always true, as in the cookbook, although thinking parts in history are stripped (its default
   * `strip_thinking_from_history=True`), which breaks the property for conversations that carry thinking.
   */
  override get hasExtensionProperty(): boolean {
    return true;
  }
}
