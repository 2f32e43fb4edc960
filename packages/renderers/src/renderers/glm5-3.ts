import { isToolCall, parseContentBlocks } from "../content.js";
import { RendererError } from "../errors.js";
import type { OpenAIChatMessage } from "../openai.js";
import { toOpenAIMessage } from "../openai.js";
import { Renderer, textChunk } from "../renderer.js";
import { type MessageDelta, ReasoningStreamingParser } from "../streaming.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  Message,
  ParseResult,
  ParseTermination,
  RenderContext,
  RenderedMessage,
  Role,
  StopSequences,
  ToolCall,
  ToolSpec,
  UnparsedToolCall,
} from "../types.js";
import {
  formatGlmToolCall,
  glmToolsSystemContent,
  glmVisibleText,
  parseGlmToolCall,
  pyStrip,
  reorderGlmToolResults,
  splitGlmReasoning,
} from "./glm5-3-format.js";

export type Glm53ReasoningEffort = "Max" | "High" | "Low";

const THINK_PREFILL = "<think>";

/**
 * GLM-5.3 (the cookbook's `Glm5_3Renderer`, after zai-org/GLM-5.3's chat template): `[gMASK]<sop>` and an always
 * present `<|system|>Reasoning Effort: …` segment; no end-of-message token (a turn ends with the next role token:
 * `<|user|>`, `<|observation|>` after tool calls, or `<|endoftext|>`); every assistant message opens with a think
 * block and generation prompts end `<|assistant|><think>` (thinking cannot be turned off); thinking is kept in
 * history unless `stripThinkingFromHistory`; `<arg_key>/<arg_value>` tool calls; consecutive tool responses share one
 * `<|observation|>` and are re-sorted into tool-call order when the ids allow it.
 */
export class Glm53Renderer extends Renderer {
  readonly name: string;
  readonly reasoningEffort: Glm53ReasoningEffort;
  readonly stripThinkingFromHistory: boolean;

  constructor(
    tokenizer: Tokenizer,
    options: { reasoningEffort?: Glm53ReasoningEffort; stripThinkingFromHistory?: boolean } = {},
  ) {
    super(tokenizer);
    this.reasoningEffort = options.reasoningEffort ?? "Max";
    this.stripThinkingFromHistory = options.stripThinkingFromHistory ?? false;
    this.name = `glm5_3_${this.reasoningEffort.toLowerCase()}_reasoning`;
  }

  private get userToken(): number {
    return this.tokenId("<|user|>");
  }
  private get observationToken(): number {
    return this.tokenId("<|observation|>");
  }
  private get endOfTextToken(): number {
    return this.tokenId("<|endoftext|>");
  }
  private stopTokenIds(): number[] {
    return [this.userToken, this.observationToken, this.endOfTextToken];
  }

  /** Stripping history thinking breaks the prefix property; keeping it (the default) preserves it. */
  override get hasExtensionProperty(): boolean {
    return !this.stripThinkingFromHistory;
  }

  protected override bosTokens(): number[] {
    return this.encode(`[gMASK]<sop><|system|>Reasoning Effort: ${this.reasoningEffort}`);
  }

  /** The template's tool-response sorting, applied to prompts and supervised examples alike (idempotent). */
  protected override normalizeMessages(messages: readonly Message[]): readonly Message[] {
    return reorderGlmToolResults(messages);
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    let header: number[];
    let body: string;
    let stopOverlap: number[] | undefined;
    switch (message.role) {
      case "system":
      case "user":
        header = [this.tokenId(message.role === "system" ? "<|system|>" : "<|user|>")];
        body = glmVisibleText(message.content);
        break;
      case "assistant": {
        const { reasoning, text } = splitGlmReasoning(message.content);
        const keep = !this.stripThinkingFromHistory || ctx.idx > ctx.lastUserIndex;
        body = `<think>${keep && reasoning !== null ? reasoning : ""}</think>${pyStrip(text)}`;
        const calls = message.toolCalls ?? [];
        body += calls.map(formatGlmToolCall).join("");
        header = [this.tokenId("<|assistant|>")];
        // The supervised target carries the prompt's `<think>` prefill in its (untrained) header.
        if (ctx.isLast && body.startsWith(THINK_PREFILL)) {
          header = [...header, ...this.encode(THINK_PREFILL)];
          body = body.slice(THINK_PREFILL.length);
        }
        // What the model emits to end this turn; the next message's role token plays this part earlier on.
        stopOverlap = [calls.length > 0 ? this.observationToken : this.userToken];
        break;
      }
      case "tool":
        header = ctx.prevMessage?.role === "tool" ? [] : [this.observationToken];
        body = `<tool_response>${glmVisibleText(message.content)}</tool_response>`;
        break;
      default:
        throw new RendererError(`renderer ${this.name}: unsupported role "${message.role}"`);
    }
    const tokens = this.encode(body);
    const out: RenderedMessage = { output: tokens.length > 0 ? [textChunk(tokens)] : [] };
    if (header.length > 0) out.header = textChunk(header);
    if (stopOverlap) out.stopOverlap = textChunk(stopOverlap);
    return out;
  }

  /** The role token, plus the `<think>` prefill for the assistant. */
  protected override generationSuffix(role: Role, _ctx: RenderContext): number[] {
    const roleTokens: Record<string, string> = {
      system: "<|system|>",
      user: "<|user|>",
      assistant: "<|assistant|>",
      tool: "<|observation|>",
    };
    const token = roleTokens[role];
    if (token === undefined)
      throw new RendererError(`renderer ${this.name}: unsupported generation role "${role}"`);
    return role === "assistant"
      ? [this.tokenId(token), ...this.encode(THINK_PREFILL)]
      : [this.tokenId(token)];
  }

  /** The model's eos tokens: `<|user|>`, `<|observation|>`, `<|endoftext|>`. */
  getStopSequences(): StopSequences {
    return this.stopTokenIds();
  }

  /** Sampled tokens start after the prompt's `<think>`: put it back when the reply closes a think block. */
  protected override normalizeResponseTokens(tokens: readonly number[]): readonly number[] {
    const open = this.tokenId("<think>");
    if (tokens.length > 0 && tokens[0] !== open && tokens.includes(this.tokenId("</think>"))) {
      return [open, ...tokens];
    }
    return tokens;
  }

  private parseContent(tokens: readonly number[], allowMissingStop: boolean): ParseResult {
    const stops = this.stopTokenIds();
    const positions = tokens.flatMap((t, i) => (stops.includes(t) ? [i] : []));
    let text: string;
    let termination: ParseTermination;
    if (positions.length === 0) {
      text = this.tokenizer.decode(tokens);
      termination = "malformed";
      if (!allowMissingStop) return { message: { role: "assistant", content: text }, termination };
    } else if (positions.length === 1) {
      const at = positions[0] as number;
      text = this.tokenizer.decode(tokens.slice(0, at));
      termination = tokens[at] === this.endOfTextToken ? "eos" : "stop_sequence";
    } else {
      throw new RendererError(
        `renderer ${this.name}: expected to split into 1 or 2 pieces on the stop tokens, got ${positions.length + 1}; ` +
          "sample with this renderer's stop sequences",
      );
    }
    const message: Message = { role: "assistant", content: text };
    const blocks = parseContentBlocks(text);
    if (blocks) {
      message.content = blocks.parts;
      // parseContentBlocks reads JSON tool calls; GLM's key/value blocks come back unparsed and are re-read here.
      const toolCalls: ToolCall[] = [...blocks.toolCalls];
      const unparsed: UnparsedToolCall[] = [];
      for (const u of blocks.unparsedToolCalls) {
        const r = parseGlmToolCall(u.rawText);
        if (isToolCall(r)) toolCalls.push(r);
        else unparsed.push(r);
      }
      if (toolCalls.length > 0) message.toolCalls = toolCalls;
      if (unparsed.length > 0) message.unparsedToolCalls = unparsed;
    }
    return { message, termination };
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    return this.parseContent(this.normalizeResponseTokens(tokens), false);
  }

  override get supportsStreaming(): boolean {
    return true;
  }

  protected override parseResponseForStreaming(tokens: readonly number[]): ParseResult {
    return this.parseContent(tokens, true);
  }

  /** Streams up to whichever stop token the response holds (`<|user|>` when there is none). */
  override *parseResponseStreaming(tokens: Iterable<number>): Generator<MessageDelta> {
    const all = this.normalizeResponseTokens([...tokens]);
    const stops = this.stopTokenIds();
    const end = all.find((t) => stops.includes(t)) ?? this.userToken;
    const parser = new ReasoningStreamingParser(this.tokenizer, end, (t) =>
      this.parseResponseForStreaming(t),
    );
    for (const t of all) yield* parser.feed(t);
    yield* parser.finish();
  }

  /** `reasoning_content` for thinking and arguments as an object (the template iterates them); text-only. */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    if (typeof message.content !== "string") splitGlmReasoning(message.content);
    const calls = message.toolCalls?.map((tc) =>
      tc.function.arguments ? tc : { ...tc, function: { ...tc.function, arguments: "{}" } },
    );
    const m: Message = calls ? { ...message, toolCalls: calls } : message;
    return toOpenAIMessage(m, { reasoningContent: true, argumentsAsObject: true });
  }

  /** Up to two system messages: the tools declaration first (a leading newline is part of it), then the prompt. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    const out: Message[] = [];
    if (tools.length > 0) out.push({ role: "system", content: glmToolsSystemContent(tools) });
    if (systemPrompt) out.push({ role: "system", content: systemPrompt });
    return out;
  }
}
