import { RendererError } from "../errors.js";
import { pyJsonDumps } from "../python-json.js";
import { injectedSystemMessage } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { Message, RenderContext, Role, ToolCall } from "../types.js";
import { formatQwen35ToolCall, Qwen35Renderer } from "./qwen3-5.js";
import type { Qwen3VLOptions } from "./qwen3-vl.js";

export type Qwen38ReasoningEffort = "xhigh" | "medium" | "low";

/** Sentences the Qwen3.8 template puts at the start of the system message per effort (`medium`: none). */
export const QWEN3_8_REASONING_INSTRUCTIONS: Readonly<Record<Qwen38ReasoningEffort, string>> = {
  xhigh:
    "Reasoning effort is set to xhigh. Please think carefully through the task, validate key assumptions, " +
    "consider plausible alternatives, and prioritize correctness, consistency, and clarity in the final answer.",
  medium: "",
  low:
    "Reasoning effort is set to low. Keep your thinking brief and focused, moving directly to the conclusion " +
    "without unnecessary elaboration.",
};

export interface Qwen38Options extends Qwen3VLOptions {
  reasoningEffort?: Qwen38ReasoningEffort;
}

/**
 * Qwen3.8 (`Qwen3_8Renderer`): Qwen3.5's format with thinking kept in history by default (every assistant message
 * without reasoning gets an empty think block), the reasoning-effort sentence in the system message, an empty system
 * message dropped, and tool-call scalars as JSON. No extension property (the sampled `<think>\n` + `\n` is not a token
 * prefix of history's merged `\n\n`).
 */
export class Qwen38Renderer extends Qwen35Renderer {
  override readonly name: string;
  readonly reasoningEffort: Qwen38ReasoningEffort;

  constructor(tokenizer: Tokenizer, options: Qwen38Options = {}) {
    super(tokenizer, { ...options, stripThinkingFromHistory: options.stripThinkingFromHistory ?? false });
    const effort = options.reasoningEffort ?? "xhigh";
    if (!(effort in QWEN3_8_REASONING_INSTRUCTIONS)) {
      throw new RendererError(
        `reasoningEffort ${JSON.stringify(effort)} is not supported; use "xhigh" (default), "medium" or "low"`,
      );
    }
    this.reasoningEffort = effort;
    this.name = `qwen3_8_${effort}_reasoning`;
  }

  override get hasExtensionProperty(): boolean {
    return false;
  }

  protected get reasoningInstructions(): string {
    return this.disablesThinking ? "" : QWEN3_8_REASONING_INSTRUCTIONS[this.reasoningEffort];
  }

  /** `_normalize_messages`: the effort sentence leads the system message; an empty system message is dropped. */
  protected override normalizeMessages(messages: readonly Message[]): readonly Message[] {
    const instructions = this.reasoningInstructions;
    const first = messages[0];
    if (first?.role === "system") {
      const rest = messages.slice(1);
      let content = first.content;
      if (typeof content !== "string") {
        const texts = content.flatMap((p) => (p.type === "text" ? [p.text] : []));
        if (texts.length === content.length) content = texts.join("");
        else {
          if (!instructions) return messages;
          const head = content[0];
          if (head?.type === "text" && head.text.startsWith(instructions)) return messages;
          return [
            { ...first, content: [{ type: "text", text: `${instructions}\n\n` }, ...content] },
            ...rest,
          ];
        }
      }
      let text = content.trim();
      if (!text && !instructions) return rest;
      if (instructions && !(text === instructions || text.startsWith(`${instructions}\n\n`))) {
        text = text ? `${instructions}\n\n${text}` : instructions;
      }
      return [{ ...first, content: text }, ...rest];
    }
    return instructions ? [injectedSystemMessage(instructions, messages), ...messages] : messages;
  }

  /** `|tojson` for every non-string value (JSON `true`/`null`). */
  protected override formatToolCall(tc: ToolCall): string {
    return formatQwen35ToolCall(tc, (v) => (typeof v === "string" ? v : pyJsonDumps(v)));
  }

  /** Strips only at or before the last user message, as the template does. */
  protected override stripsThinkingFor(message: Message, ctx: RenderContext): boolean {
    return this.stripThinkingFromHistory && message.role === "assistant" && ctx.idx <= ctx.lastUserIndex;
  }

  /** Only thinking parts count as reasoning (the 3.8 template ignores inline `<think>` in strings). */
  protected override assistantHeaderSuffix(message: Message, ctx: RenderContext): string {
    if (this.stripThinkingFromHistory && ctx.idx <= ctx.lastUserIndex) return "";
    const c = message.content;
    const reasoned = typeof c !== "string" && c.some((p) => p.type === "thinking");
    return reasoned ? "" : "<think>\n\n</think>\n\n";
  }
}

/** Qwen3.8 with reasoning off: the prompt closes the think block and no effort sentence is added. */
export class Qwen38DisableThinkingRenderer extends Qwen38Renderer {
  override readonly name: string = "qwen3_8_disable_thinking";

  override get disablesThinking(): boolean {
    return true;
  }

  protected override suffixString(role: Role, idx: number): string {
    return `${idx > 0 ? "\n" : ""}<|im_start|>${role}\n<think>\n\n</think>\n\n`;
  }
}
