import type { ModelInputChunk } from "@crucible/tinker-client";
import { toolCallPayloadJson } from "../content.js";
import { RendererError } from "../errors.js";
import { type ImageProcessor, type ImageSource, imageToChunk } from "../image.js";
import { textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { Message, RenderContext, RenderedMessage } from "../types.js";
import { Qwen3Renderer } from "./qwen3.js";

export interface Qwen3VLOptions {
  /** Sizes image parts (image token counts); required only when a message holds an image. */
  imageProcessor?: ImageProcessor;
  stripThinkingFromHistory?: boolean;
  /** Encode consecutive text pieces as one string (default true, as the cookbook). */
  mergeTextChunks?: boolean;
}

/** A piece of a VL message before encoding: text, or an image between vision tokens. */
export type VLPiece = { type: "text"; text: string } | { type: "image"; image: ImageSource };

/**
 * Qwen3-VL (`Qwen3VLRenderer`): ChatML like Qwen3, images wrapped in `<|vision_start|>…<|vision_end|>` as image
 * chunks, thinking rendered `<think>…</think>`, text encoded with special tokens matched (not split), consecutive
 * text pieces merged before encoding. Qwen3.5 and Qwen3.8 build on it through the protected hooks below.
 */
export class Qwen3VLRenderer extends Qwen3Renderer {
  override readonly name: string = "qwen3_vl";
  readonly imageProcessor: ImageProcessor | undefined;
  protected readonly mergeTextChunks: boolean;
  /** Qwen3.5-family templates keep one user block open around consecutive tool responses. */
  protected readonly groupsConsecutiveToolResponses: boolean = false;

  constructor(tokenizer: Tokenizer, options: Qwen3VLOptions = {}) {
    super(tokenizer, { stripThinkingFromHistory: options.stripThinkingFromHistory ?? true });
    this.imageProcessor = options.imageProcessor;
    this.mergeTextChunks = options.mergeTextChunks ?? true;
  }

  protected formatThinkingText(thinking: string): string {
    return `<think>${thinking}</think>`;
  }

  /** Text added to an assistant header before the content (Qwen3.5's empty think block). */
  protected assistantHeaderSuffix(_message: Message, _ctx: RenderContext): string {
    return "";
  }

  /** `_preprocess_message_parts`: thinking as text (or dropped), images between vision tokens. */
  protected preprocessParts(message: Message, stripThinking: boolean): VLPiece[] {
    const base: VLPiece[] = [];
    if (typeof message.content === "string") base.push({ type: "text", text: message.content });
    else {
      for (const p of message.content) {
        if (p.type === "text") base.push({ type: "text", text: p.text });
        else if (p.type === "image") base.push({ type: "image", image: p.image });
        else if (p.type === "thinking" && !stripThinking)
          base.push({ type: "text", text: this.formatThinkingText(p.thinking) });
      }
    }
    const out: VLPiece[] = [];
    for (const piece of base) {
      if (piece.type === "image") out.push({ type: "text", text: "<|vision_start|>" });
      out.push(piece);
      if (piece.type === "image") out.push({ type: "text", text: "<|vision_end|>" });
    }
    return out;
  }

  protected wrapToolResponse(pieces: VLPiece[]): VLPiece[] {
    return [
      { type: "text", text: "<tool_response>\n" },
      ...pieces,
      { type: "text", text: "\n</tool_response>" },
    ];
  }

  protected toolResponseContinuationHeader(): string {
    return "\n";
  }

  /** Thinking is dropped from every assistant message but the last (when stripping history). */
  protected stripsThinkingFor(message: Message, ctx: RenderContext): boolean {
    return this.stripThinkingFromHistory && message.role === "assistant" && !ctx.isLast;
  }

  protected formatToolCallsText(message: Message): string {
    const calls = message.toolCalls ?? [];
    return `\n${calls.map((tc) => `<tool_call>\n${toolCallPayloadJson(tc)}\n</tool_call>`).join("\n")}`;
  }

  /** How much of this message's header the generation prompt already wrote ("" for Qwen3-VL). */
  protected generationSuffixInHeader(_message: Message, _ctx: RenderContext): string {
    return "";
  }

  protected encodePiece(piece: VLPiece): ModelInputChunk {
    if (piece.type === "text") return textChunk(this.encode(piece.text));
    if (!this.imageProcessor) {
      throw new RendererError(
        `renderer ${this.name}: a message holds an image but no imageProcessor was given (getRenderer(name, tokenizer, { imageProcessor }))`,
      );
    }
    return imageToChunk(piece.image, this.imageProcessor);
  }

  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const nl = ctx.idx > 0 ? "\n" : "";
    const role = message.role === "tool" ? "user" : message.role;
    const grouping = this.groupsConsecutiveToolResponses;
    const isTool = message.role === "tool";
    let header: string;
    if (isTool && grouping && ctx.prevMessage?.role === "tool")
      header = this.toolResponseContinuationHeader();
    else {
      header = `${nl}<|im_start|>${role}\n`;
      if (message.role === "assistant") header += this.assistantHeaderSuffix(message, ctx);
    }
    let pieces = this.preprocessParts(message, this.stripsThinkingFor(message, ctx));
    if (isTool) pieces = this.wrapToolResponse(pieces);
    if (message.toolCalls !== undefined)
      pieces.push({ type: "text", text: this.formatToolCallsText(message) });
    if (!(isTool && grouping && ctx.nextMessage?.role === "tool"))
      pieces.push({ type: "text", text: "<|im_end|>" });
    if (this.mergeTextChunks) pieces = mergeText(pieces);
    const output = pieces.map((p) => this.encodePiece(p));
    const prefix = this.generationSuffixInHeader(message, ctx);
    if (prefix && header.startsWith(prefix)) {
      const rest = header.slice(prefix.length);
      if (rest) output.unshift(textChunk(this.encode(rest)));
      header = prefix;
    }
    return { header: textChunk(this.encode(header)), output };
  }
}

function mergeText(pieces: VLPiece[]): VLPiece[] {
  const out: VLPiece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (p.type === "text" && last?.type === "text")
      out[out.length - 1] = { type: "text", text: last.text + p.text };
    else out.push(p);
  }
  return out;
}

/** Qwen3-VL Instruct: no think frame when parsing (`frames_thinking = False`). */
export class Qwen3VLInstructRenderer extends Qwen3VLRenderer {
  override readonly name: string = "qwen3_vl_instruct";
  protected override readonly framesThinking: boolean = false;
}
