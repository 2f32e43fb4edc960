import { hasThinking } from "../content.js";
import { RendererError } from "../errors.js";
import { pyJsonDumps } from "../python-json.js";
import { injectedSystemMessage } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { Message, RenderContext, RenderedMessage, Role, ToolSpec } from "../types.js";
import { postprocessQwen35Message, QWEN3_5_TOOL_INSTRUCTIONS, Qwen35Renderer } from "./qwen3-5.js";
import type { VLPiece } from "./qwen3-vl.js";

/** Python `str(x)` of a JSON-like value (lists and dicts as their repr). */
export function pyStrValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  if (typeof v === "number") return pyJsonDumps(v);
  return pyRepr(v);
}

function pyRepr(v: unknown): string {
  if (typeof v === "string") {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    return q + v.replace(/\\/g, "\\\\").replace(new RegExp(q, "g"), `\\${q}`).replace(/\n/g, "\\n") + q;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  }
  return pyStrValue(v);
}

/** `_render_extra_keys`: other keys as `<key>value</key>`, dicts/lists JSON-encoded, scalars `str()`. */
function extraKeys(obj: Record<string, unknown>, handled: readonly string[]): string[] {
  return Object.entries(obj)
    .filter(([k]) => !handled.includes(k))
    .map(
      ([k, v]) =>
        `<${k}>${v !== null && typeof v === "object" ? pyJsonDumps(v as never) : pyStrValue(v)}</${k}>`,
    );
}

/** `_format_nemotron3_tool_declaration`: one tool as the template's XML. */
export function formatNemotron3ToolDeclaration(tool: ToolSpec): string {
  const t = tool as unknown as Record<string, unknown>;
  const lines = ["<function>", `<name>${tool.name}</name>`];
  const description = typeof tool.description === "string" ? tool.description.trim() : "";
  if (description) lines.push(`<description>${description}</description>`);
  lines.push("<parameters>");
  const params = (tool.parameters ?? {}) as Record<string, unknown>;
  const props = params.properties as Record<string, Record<string, unknown>> | undefined;
  if (props) {
    for (const [name, fields] of Object.entries(props)) {
      lines.push("<parameter>", `<name>${name}</name>`);
      if ("type" in fields) lines.push(`<type>${pyStrValue(fields.type)}</type>`);
      if ("description" in fields)
        lines.push(`<description>${String(fields.description).trim()}</description>`);
      if ("enum" in fields) lines.push(`<enum>${pyJsonDumps(fields.enum as never)}</enum>`);
      lines.push(...extraKeys(fields, ["name", "type", "description", "enum"]), "</parameter>");
    }
  }
  lines.push(...extraKeys(params, ["type", "properties", "required"]));
  if ("required" in params) lines.push(`<required>${pyJsonDumps(params.required as never)}</required>`);
  lines.push("</parameters>", ...extraKeys(t, ["type", "name", "description", "parameters"]), "</function>");
  return lines.join("\n");
}

/**
 * Nemotron-3 Nano/Super (`Nemotron3Renderer`, on Qwen3.5): an (empty) system message always rendered, `<think></think>`
 * on every assistant message whose thinking is not shown, one newline after `</think>`, thinking stripped only
 * before the last user message, `</tool_response>\n` and `</tool_call>\n`, XML tool declarations after the system prompt.
 */
export class Nemotron3Renderer extends Qwen35Renderer {
  override readonly name: string = "nemotron3";

  constructor(tokenizer: Tokenizer, options: { stripThinkingFromHistory?: boolean } = {}) {
    super(tokenizer, { stripThinkingFromHistory: options.stripThinkingFromHistory ?? true });
  }

  /** The template always renders a system message: an empty one when the conversation has none. */
  protected override normalizeMessages(messages: readonly Message[]): readonly Message[] {
    return messages[0]?.role === "system" ? messages : [injectedSystemMessage("", messages), ...messages];
  }

  protected override assistantHeaderSuffix(message: Message, ctx: RenderContext): string {
    const historical = ctx.idx < ctx.lastUserIndex;
    const c = message.content;
    const think = hasThinking(c);
    if (think && (!historical || !this.stripThinkingFromHistory)) return "";
    if (historical && think) {
      const text = typeof c !== "string" && c.some((p) => p.type === "text" && p.text.length > 0);
      if (text && !(message.toolCalls && message.toolCalls.length > 0)) return "<think></think>\n";
    }
    return "<think></think>";
  }

  /** Thinking is kept on assistant messages from the last user message on (the `is_last` patch). */
  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const c =
      message.role === "assistant" && ctx.idx >= ctx.lastUserIndex && !ctx.isLast
        ? { ...ctx, isLast: true }
        : ctx;
    return super.renderMessage(message, c);
  }

  protected override formatThinkingText(thinking: string): string {
    return `<think>\n${thinking}\n</think>\n`;
  }

  protected override wrapToolResponse(pieces: VLPiece[]): VLPiece[] {
    return [
      { type: "text", text: "<tool_response>\n" },
      ...pieces,
      { type: "text", text: "\n</tool_response>\n" },
    ];
  }

  protected override toolResponseContinuationHeader(): string {
    return "";
  }

  protected override formatToolCallsText(message: Message): string {
    const c = message.content;
    const thinkingPart = typeof c !== "string" && c.some((p) => p.type === "thinking");
    const text = typeof c !== "string" && c.some((p) => p.type === "text" && p.text.length > 0);
    const prefix = thinkingPart && !text ? "" : "\n";
    return prefix + (message.toolCalls ?? []).map((tc) => `${this.formatToolCall(tc)}\n`).join("");
  }

  /** One separator newline after `</think>`, then Qwen3.5's post-processing. */
  protected override postprocessParsedMessage(message: Message): void {
    if (typeof message.content !== "string") {
      let seen = false;
      for (const p of message.content) {
        if (p.type === "thinking") seen = true;
        else if (seen && p.type === "text") {
          if (p.text.startsWith("\n")) p.text = p.text.slice(1);
          break;
        }
      }
    }
    postprocessQwen35Message(message);
  }

  /** System prompt first, then the XML tool block (Qwen3.5 puts the tools first). */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    let toolsText = "";
    if (tools.length > 0) {
      toolsText =
        "# Tools\n\nYou have access to the following functions:\n\n<tools>\n" +
        `${tools.map(formatNemotron3ToolDeclaration).join("\n")}\n</tools>\n\n${QWEN3_5_TOOL_INSTRUCTIONS}`;
    }
    const content = toolsText ? (systemPrompt ? `${systemPrompt}\n\n${toolsText}` : toolsText) : systemPrompt;
    return [{ role: "system", content }];
  }
}

/** `truncate_history_thinking=false`: history keeps its thinking (extension property). */
export class Nemotron3PreserveThinkingRenderer extends Nemotron3Renderer {
  override readonly name: string = "nemotron3_preserve_thinking";
  constructor(tokenizer: Tokenizer) {
    super(tokenizer, { stripThinkingFromHistory: false });
  }
}

function appendToLastUser(message: Message, ctx: RenderContext, suffix: string, mode: string): Message {
  if (message.role !== "user" || ctx.idx !== ctx.lastUserIndex) return message;
  if (typeof message.content !== "string") {
    throw new RendererError(`Nemotron-3 ${mode} mode is text-only: the last user message must be a string`);
  }
  return { ...message, content: message.content + suffix };
}

/** Super's `low_effort=True`: `{reasoning effort: low}` appended to the last user message. */
export class Nemotron3LowThinkingRenderer extends Nemotron3Renderer {
  override readonly name: string = "nemotron3_low_thinking";
  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    return super.renderMessage(
      appendToLastUser(message, ctx, "\n\n{reasoning effort: low}", "low-thinking"),
      ctx,
    );
  }
}

/** Reasoning off: the generation prompt ends `<think></think>` (no newlines). */
export class Nemotron3DisableThinkingRenderer extends Nemotron3Renderer {
  override readonly name: string = "nemotron3_disable_thinking";
  override get disablesThinking(): boolean {
    return true;
  }
  protected override generationSuffix(role: Role, ctx: RenderContext): number[] {
    return this.encode(`${ctx.idx > 0 ? "\n" : ""}<|im_start|>${role}\n<think></think>`);
  }
}

/** Nemotron-3 Ultra / 3.5 Lightning: `<think>\n…</think>` with no separators, `<think></think>` glued to the text. */
export class Nemotron3UltraRenderer extends Nemotron3Renderer {
  override readonly name: string = "nemotron3_ultra";

  protected override assistantHeaderSuffix(message: Message, ctx: RenderContext): string {
    const historical = ctx.idx < ctx.lastUserIndex;
    if (hasThinking(message.content) && (!historical || !this.stripThinkingFromHistory)) return "";
    return "<think></think>";
  }

  protected override formatThinkingText(thinking: string): string {
    return `<think>\n${thinking}</think>`;
  }

  protected override formatToolCallsText(message: Message): string {
    return `\n${(message.toolCalls ?? []).map((tc) => `${this.formatToolCall(tc)}\n`).join("")}`;
  }

  protected override postprocessParsedMessage(message: Message): void {
    postprocessQwen35Message(message);
  }
}

export class Nemotron3UltraPreserveThinkingRenderer extends Nemotron3UltraRenderer {
  override readonly name: string = "nemotron3_ultra_preserve_thinking";
  constructor(tokenizer: Tokenizer) {
    super(tokenizer, { stripThinkingFromHistory: false });
  }
}

/** Ultra's `medium_effort=True`: `{reasoning effort: efficient}` appended to the last user message. */
export class Nemotron3UltraMediumThinkingRenderer extends Nemotron3UltraRenderer {
  override readonly name: string = "nemotron3_ultra_medium_thinking";
  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const m = appendToLastUser(message, ctx, "\n\n{reasoning effort: efficient}", "medium-thinking");
    return super.renderMessage(m, ctx);
  }
}

export class Nemotron3UltraDisableThinkingRenderer extends Nemotron3UltraRenderer {
  override readonly name: string = "nemotron3_ultra_disable_thinking";
  override get disablesThinking(): boolean {
    return true;
  }
  protected override generationSuffix(role: Role, ctx: RenderContext): number[] {
    return this.encode(`${ctx.idx > 0 ? "\n" : ""}<|im_start|>${role}\n<think></think>`);
  }
}
