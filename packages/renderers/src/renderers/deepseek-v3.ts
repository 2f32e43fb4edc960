import { ensureText, parseThinkBlocks } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { PythonJsonError, pyJsonLoads } from "../python-json.js";
import { Renderer, textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  Role,
  StopSequences,
  ToolCall,
  UnparsedToolCall,
} from "../types.js";

export interface DeepSeekV3Options {
  /** Render system messages after position 0 as user messages instead of failing. */
  systemRoleAsUser?: boolean;
  /** Drop thinking from assistant messages that are not last (default true, as the HF template). */
  stripThinkingFromHistory?: boolean;
}

const TOOL_CALLS_RE = /<｜tool▁calls▁begin｜>([\s\S]*?)<｜tool▁calls▁end｜>/;
const TOOL_CALL_RE = /<｜tool▁call▁begin｜>(\w+)<｜tool▁sep｜>([\s\S]*?)<｜tool▁call▁end｜>/g;

/** DeepSeek V3.1: `<｜User｜>`/`<｜Assistant｜>` role tokens, system prompt first without a role, EOS ends a reply. */
abstract class DeepSeekV3Base extends Renderer {
  protected readonly systemRoleAsUser: boolean;
  protected readonly stripThinkingFromHistory: boolean;

  constructor(tokenizer: Tokenizer, options: DeepSeekV3Options = {}) {
    super(tokenizer);
    this.systemRoleAsUser = options.systemRoleAsUser ?? false;
    this.stripThinkingFromHistory = options.stripThinkingFromHistory ?? true;
  }

  override get hasExtensionProperty(): boolean {
    return !this.stripThinkingFromHistory;
  }

  protected special(name: string): number {
    return this.tokenId(`<｜${name}｜>`);
  }

  protected override bosTokens(): number[] {
    return [this.special("begin▁of▁sentence")];
  }

  protected eos(): number {
    return this.special("end▁of▁sentence");
  }

  protected followsTool(ctx: RenderContext): boolean {
    return ctx.prevMessage?.role === "tool";
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const content = message.content;
    let header: number[] = [];
    let out: string;
    if (message.role === "system") {
      out = ensureText(content);
      if (ctx.idx > 0) {
        if (!this.systemRoleAsUser) {
          throw new RendererError(
            "DeepSeek only supports a system message at the start; use systemRoleAsUser to render later ones as user messages",
          );
        }
        header = [this.special("User")];
      }
    } else if (message.role === "user") {
      header = [this.special("User")];
      out = ensureText(content);
    } else if (message.role === "assistant") {
      const hasToolCalls = (message.toolCalls?.length ?? 0) > 0;
      const strip = this.stripThinkingFromHistory && !hasToolCalls && !ctx.isLast;
      out =
        typeof content === "string"
          ? content
          : content
              .map((p) =>
                p.type === "thinking"
                  ? strip
                    ? ""
                    : `<think>${p.thinking}</think>`
                  : p.type === "text"
                    ? p.text
                    : "",
              )
              .join("");
      if (!this.followsTool(ctx)) header = [this.special("Assistant")];
    } else if (message.role === "tool") {
      header = this.encode("<｜tool▁output▁begin｜>");
      out = `${ensureText(content)}<｜tool▁output▁end｜>`;
    } else {
      throw new RendererError(`renderer ${this.name}: unsupported role "${message.role}"`);
    }
    if (message.toolCalls && message.toolCalls.length > 0) {
      out += "<｜tool▁calls▁begin｜>";
      for (const tc of message.toolCalls) {
        out += `<｜tool▁call▁begin｜>${tc.function.name}<｜tool▁sep｜>${tc.function.arguments}<｜tool▁call▁end｜>`;
      }
      out += "<｜tool▁calls▁end｜>";
    }
    const tokens = [...this.encode(out)];
    const nonEmpty = typeof content === "string" ? content.length > 0 : content.length > 0;
    if (message.role === "assistant" && nonEmpty) tokens.push(this.eos());
    const r: RenderedMessage = { output: [textChunk(tokens)] };
    if (header.length > 0) r.header = textChunk(header);
    return r;
  }

  getStopSequences(): StopSequences {
    return [this.eos()];
  }
  /** `reasoning_content` for thinking (the cookbook's override). */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  protected normalizeResponse(tokens: readonly number[]): readonly number[] {
    return tokens;
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(this.normalizeResponse(tokens), this.eos());
    if (!clean) return { message: { role: "assistant", content: text }, termination: "malformed" };
    const message: Message = { role: "assistant", content: text };
    let body = text;
    const calls = TOOL_CALLS_RE.exec(body);
    const toolCalls: ToolCall[] = [];
    const unparsed: UnparsedToolCall[] = [];
    if (calls) {
      TOOL_CALL_RE.lastIndex = 0;
      for (
        let m = TOOL_CALL_RE.exec(calls[1] as string);
        m !== null;
        m = TOOL_CALL_RE.exec(calls[1] as string)
      ) {
        const args = (m[2] as string).trim();
        try {
          pyJsonLoads(args);
          toolCalls.push({ type: "function", function: { name: m[1] as string, arguments: args } });
        } catch (e) {
          if (!(e instanceof PythonJsonError)) throw e;
          unparsed.push({ rawText: m[0], error: `Invalid JSON: ${e.message}` });
        }
      }
    }
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
    if (unparsed.length > 0) message.unparsedToolCalls = unparsed;
    if (toolCalls.length > 0 || unparsed.length > 0) {
      body = body.replace(/\s*<｜tool▁calls▁begin｜>[\s\S]*?<｜tool▁calls▁end｜>/g, "").trim();
    }
    message.content = parseThinkBlocks(body) ?? body;
    return { message, termination: "stop_sequence" };
  }
}

/** Reasoning on: `<think>` prefilled in the generation prompt, the last reply keeps its `<think>…</think>`. */
export class DeepSeekV3ThinkingRenderer extends DeepSeekV3Base {
  readonly name: string = "deepseekv3_thinking";

  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const r = super.renderMessage(message, ctx);
    if (message.role !== "assistant" || this.followsTool(ctx)) return r;
    if (this.stripThinkingFromHistory && !ctx.isLast) {
      r.header = textChunk([...(r.header?.tokens ?? []), ...this.encode("</think>")]);
    } else if (ctx.isLast && !hasThinkingContent(message)) {
      const first = r.output[0];
      if (first?.type === "encoded_text" && first.tokens.length > 0) {
        r.output = [textChunk([...this.encode("<think></think>"), ...first.tokens]), ...r.output.slice(1)];
      }
    }
    return r;
  }

  override buildGenerationPrompt(messages: readonly Message[], role: Role = "assistant", prefill?: string) {
    if (messages.length > 0 && messages[messages.length - 1]?.role === "tool") {
      return super.buildGenerationPrompt(messages, role, prefill);
    }
    return super.buildGenerationPrompt(messages, role, `<think>${prefill ?? ""}`);
  }

  protected override normalizeResponse(tokens: readonly number[]): readonly number[] {
    const open = this.tokenId("<think>");
    const close = this.tokenId("</think>");
    if (tokens[0] !== open && tokens.includes(close)) return [open, ...tokens];
    return tokens;
  }
}

function hasThinkingContent(m: Message): boolean {
  return typeof m.content === "string"
    ? m.content.includes("<think>")
    : m.content.some((p) => p.type === "thinking");
}

/** Reasoning off (the default `deepseekv3`): `</think>` closes the header of every assistant reply; thinking dropped. */
export class DeepSeekV3DisableThinkingRenderer extends DeepSeekV3Base {
  readonly name: string = "deepseekv3";

  override get hasExtensionProperty(): boolean {
    return true;
  }

  override renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    if (message.role !== "assistant" || this.followsTool(ctx)) return super.renderMessage(message, ctx);
    const c = message.content;
    const text =
      typeof c === "string"
        ? c.replace(/<think>[\s\S]*?<\/think>/g, "")
        : c.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
    const r = super.renderMessage({ ...message, content: text }, ctx);
    r.header = textChunk([...(r.header?.tokens ?? []), ...this.encode("</think>")]);
    return r;
  }
}
