import { parseContentBlocks, toolCallPayloadJson } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { Renderer, textChunk } from "../renderer.js";
import type {
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  StopSequences,
  ToolSpec,
} from "../types.js";
import { qwen3ToolsSystemText } from "./qwen3.js";

/**
 * Step-3.5-Flash (`stepfun-ai/Step-3.5-Flash`), the cookbook's `Step3p5FlashRenderer` (step3p5.py at 50d2e87f):
 * ChatML like Qwen3 (`tool` messages under a `user` header, wrapped in `<tool_response>`), but thinking parts render
 * verbatim as `<think>…</think>` in every message (none stripped from history, no newline frame), and nothing is
 * injected into the prompt. Each body is encoded with `<|im_end|>` appended and special tokens matched.
 */
export class Step3p5FlashRenderer extends Renderer {
  readonly name: string = "step3p5";

  protected imEnd(): number {
    return this.tokenId("<|im_end|>");
  }

  /** The body before `<|im_end|>`, as `Step3p5FlashRenderer.render_message` builds `output_content`. */
  protected messageText(message: Message): string {
    const content = message.content;
    let text = "";
    if (typeof content === "string") {
      text = content;
    } else {
      for (const p of content) {
        if (p.type === "thinking") text += `<think>${p.thinking}</think>`;
        else if (p.type === "text") text += p.text;
        // The cookbook drops other parts silently; a text model refusing them is clearer.
        else
          throw new RendererError(`renderer ${this.name} cannot render ${p.type} parts (text models only)`);
      }
    }
    if (message.role === "tool") text = `<tool_response>\n${text}\n</tool_response>`;
    // `if "tool_calls" in message`: the newline comes even when the message has no text (or an empty list).
    if (message.toolCalls !== undefined) {
      text += `\n${message.toolCalls.map((tc) => `<tool_call>\n${toolCallPayloadJson(tc)}\n</tool_call>`).join("\n")}`;
    }
    return text;
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const role = message.role === "tool" ? "user" : message.role;
    return {
      header: textChunk(this.encode(`${ctx.idx > 0 ? "\n" : ""}<|im_start|>${role}\n`)),
      output: [textChunk(this.encode(`${this.messageText(message)}<|im_end|>`))],
    };
  }

  getStopSequences(): StopSequences {
    return [this.imEnd()];
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(tokens, this.imEnd());
    if (!clean) return { message: { role: "assistant", content: text }, termination: "malformed" };
    const message: Message = { role: "assistant", content: text };
    const blocks = parseContentBlocks(text);
    if (blocks) {
      message.content = blocks.parts;
      if (blocks.toolCalls.length > 0) message.toolCalls = blocks.toolCalls;
      if (blocks.unparsedToolCalls.length > 0) message.unparsedToolCalls = blocks.unparsedToolCalls;
    }
    return { message, termination: "stop_sequence" };
  }

  /** `reasoning_content` for thinking, arguments as the JSON string. */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  /** The same system text as Qwen3's (step3p5.py repeats it). */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    return [{ role: "system", content: qwen3ToolsSystemText(tools, systemPrompt) }];
  }
}
