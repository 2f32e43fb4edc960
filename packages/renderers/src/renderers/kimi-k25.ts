import type { ModelInput, ModelInputChunk } from "@crucible/tinker-client";
import { RendererError } from "../errors.js";
import { type ImageSource, imageToChunk } from "../image.js";
import { type KimiMediaProcessor, kimiImageTokenCount } from "../kimi-image.js";
import { textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { ContentPart, Message, Role, ToolSpec } from "../types.js";
import { KimiK2Renderer } from "./kimi-k2.js";
import { encodeToolsToTypescriptStyle } from "./kimi-tool-declaration-ts.js";

export interface KimiK25Options {
  stripThinkingFromHistory?: boolean;
  /**
   * Sizes image parts as Kimi's image processor does (`get_resize_config(...)["num_tokens"]`): pass
   * KIMI_K25_MEDIA_PROCESSOR or `kimiMediaProcessorFromConfig(preprocessor_config.json)`. Required only when a
   * message holds an image (the cookbook asserts an image processor was given).
   */
  mediaProcessor?: KimiMediaProcessor;
  /** A custom token counter instead of `mediaProcessor` (for processors that are not MoonViT). */
  imageTokenCount?: (width: number, height: number) => number;
}

/**
 * Kimi K2.5 / K2.6 (`KimiK25Renderer`): K2's format with an open `<think>` prefilled by the generation prompt
 * (restored before parsing), images as `<|media_begin|>image<|media_content|>` + image chunk + `<|media_end|>\n`,
 * tools declared TypeScript-style.
 */
export class KimiK25Renderer extends KimiK2Renderer {
  override readonly name: string = "kimi_k25";
  protected readonly imageTokenCount: KimiK25Options["imageTokenCount"];

  constructor(tokenizer: Tokenizer, options: KimiK25Options = {}) {
    super(
      tokenizer,
      options.stripThinkingFromHistory === undefined
        ? {}
        : { stripThinkingFromHistory: options.stripThinkingFromHistory },
    );
    const mp = options.mediaProcessor;
    this.imageTokenCount =
      options.imageTokenCount ?? (mp ? (w: number, h: number) => kimiImageTokenCount(mp, w, h) : undefined);
  }

  protected prefillText(): string {
    return "<think>";
  }

  override buildGenerationPrompt(
    messages: readonly Message[],
    role: Role = "assistant",
    prefill?: string,
  ): ModelInput {
    return super.buildGenerationPrompt(messages, role, this.prefillText() + (prefill ?? ""));
  }

  /** K2.5's chat template declares tools TypeScript-style (`tool_declare`), before the system message. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    const out: Message[] = [];
    if (tools.length > 0) {
      const payload = tools.map((t) => ({
        type: "function",
        function: t as unknown as Record<string, unknown>,
      }));
      out.push({ role: "tool_declare", content: encodeToolsToTypescriptStyle(payload) });
    }
    out.push({ role: "system", content: systemPrompt || KimiK2Renderer.DEFAULT_SYSTEM_PROMPT });
    return out;
  }

  protected override normalizeResponseTokens(tokens: readonly number[]): readonly number[] {
    const open = this.tokenId("<think>");
    const close = this.tokenId("</think>");
    if (tokens.length > 0 && tokens[0] !== open && tokens.includes(close)) return [open, ...tokens];
    return tokens;
  }

  protected override encodeMultipart(parts: ContentPart[]): ModelInputChunk[] {
    const out: ModelInputChunk[] = [];
    for (const p of parts) {
      if (p.type === "text") out.push(textChunk(this.encode(p.text)));
      else if (p.type === "image") {
        out.push(textChunk(this.encode("<|media_begin|>image<|media_content|>")));
        out.push(this.imageChunk(p.image));
        out.push(textChunk(this.encode("<|media_end|>\n")));
      } else throw new RendererError(`renderer ${this.name}: unsupported content part type ${p.type}`);
    }
    return out;
  }

  private imageChunk(image: ImageSource): ModelInputChunk {
    const count = this.imageTokenCount;
    if (!count) {
      throw new RendererError(
        `renderer ${this.name}: a message holds an image but no mediaProcessor was given (getRenderer(name, tokenizer, { mediaProcessor: KIMI_K25_MEDIA_PROCESSOR }))`,
      );
    }
    return imageToChunk(image, count);
  }
}

/** Thinking off: the prompt prefills the closed `<think></think>`. */
export class KimiK25DisableThinkingRenderer extends KimiK25Renderer {
  override readonly name: string = "kimi_k25_disable_thinking";
  override get disablesThinking(): boolean {
    return true;
  }
  protected override prefillText(): string {
    return "<think></think>";
  }
}

/** K2.6 with `preserve_thinking=true`: history keeps its thinking (extension property in the template's sense). */
export class KimiK26PreserveThinkingRenderer extends KimiK25Renderer {
  override readonly name: string = "kimi_k26_preserve_thinking";
  constructor(tokenizer: Tokenizer, options: Omit<KimiK25Options, "stripThinkingFromHistory"> = {}) {
    super(tokenizer, { ...options, stripThinkingFromHistory: false });
  }
}
