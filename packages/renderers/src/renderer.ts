import {
  chunkLength,
  type EncodedTextChunk,
  ModelInput,
  type ModelInputChunk,
} from "@crucible/tinker-client";
import { RendererError } from "./errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "./openai.js";
import { type MessageDelta, ReasoningStreamingParser } from "./streaming.js";
import type { Tokenizer } from "./tokenizer/tokenizer.js";
import type {
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  Role,
  StopSequences,
  SupervisedExample,
  ToolSpec,
  TrainOnWhat,
} from "./types.js";
import { warnOnce } from "./warnings.js";

const ENCODE_CACHE_LIMIT = 8192;

export function textChunk(tokens: number[]): EncodedTextChunk {
  return { type: "encoded_text", tokens };
}

export function lastUserIndex(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return i;
  return -1;
}

/**
 * A system message a renderer adds to a conversation itself (Kimi's default, Nemotron's empty one, Qwen3.8's effort
 * sentence). When the conversation uses `trainable` it is marked untrained, where the cookbook's CUSTOMIZED
 * assertion would fail instead.
 */
export function injectedSystemMessage(content: string, conversation: readonly Message[]): Message {
  const system: Message = { role: "system", content };
  if (conversation.some((m) => m.trainable !== undefined)) system.trainable = false;
  return system;
}

/**
 * A chat format: renders messages to token chunks (each piece encoded separately, never the whole
 * document), builds generation prompts and supervised examples with per-token weights, and parses
 * sampled tokens back into a message. Port of the Python cookbook's `renderers/base.py`.
 */
export abstract class Renderer {
  /** Registry name, e.g. "qwen3". */
  abstract readonly name: string;
  // One map per allowSpecial value, keyed by the text itself (a prefixed key would copy every piece to hash it).
  private readonly encodeCache = new Map<string, number[]>();
  private readonly encodeCacheSplit = new Map<string, number[]>();

  constructor(readonly tokenizer: Tokenizer) {}

  abstract renderMessage(message: Message, ctx: RenderContext): RenderedMessage;
  abstract parseResponse(tokens: readonly number[]): ParseResult;
  abstract getStopSequences(): StopSequences;

  /**
   * Messages to put before a conversation so the model knows its tools (the cookbook's
   * `create_conversation_prefix_with_tools`); renderers without a tool format throw.
   */
  createConversationPrefixWithTools(_tools: readonly ToolSpec[], _systemPrompt = ""): Message[] {
    throw new RendererError(`renderer ${this.name} has no tool declaration format`);
  }

  /** Whether parseResponseStreaming is available (the cookbook's `supports_streaming`). */
  get supportsStreaming(): boolean {
    return false;
  }

  /** Restores tokens the generation prompt prefilled (e.g. `<think>`) before parsing; identity by default. */
  protected normalizeResponseTokens(tokens: readonly number[]): readonly number[] {
    return tokens;
  }

  /** The token that ends a message, for streaming. */
  protected streamEndToken(): number {
    throw new RendererError(`renderer ${this.name} does not support streaming response parsing`);
  }

  /** The final message of a stream: content parsed even when the stop token never came. */
  protected parseResponseForStreaming(tokens: readonly number[]): ParseResult {
    return this.parseResponse(tokens);
  }

  /**
   * Parses sampled tokens as they arrive: a header, then text / thinking deltas (split at `<think>`/`</think>`,
   * incomplete UTF-8 held back), then the complete message (`parse_response_streaming`).
   */
  *parseResponseStreaming(tokens: Iterable<number>): Generator<MessageDelta> {
    if (!this.supportsStreaming) {
      throw new RendererError(`renderer ${this.name} does not support streaming response parsing`);
    }
    const all = this.normalizeResponseTokens([...tokens]);
    const parser = new ReasoningStreamingParser(this.tokenizer, this.streamEndToken(), (t) =>
      this.parseResponseForStreaming(t),
    );
    for (const t of all) yield* parser.feed(t);
    yield* parser.finish();
  }

  /** The message in OpenAI chat format (`to_openai_message`): thinking as `<think>…</think>` in the content. */
  toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: false, argumentsAsObject: false });
  }

  /** Prefix property: the supervised example of a conversation extends the prompt of every earlier turn. */
  get hasExtensionProperty(): boolean {
    return false;
  }
  /** The renderer closes the think block in the generation prompt (reasoning off). */
  get disablesThinking(): boolean {
    return false;
  }

  protected bosTokens(): number[] {
    return [];
  }

  protected generationSuffix(role: Role, ctx: RenderContext): number[] {
    return this.renderMessage({ role, content: "" }, ctx).header?.tokens ?? [];
  }

  protected lastAssistantTurnStartIndex(messages: readonly Message[]): number {
    return lastUserIndex(messages) + 1;
  }

  /** Encodes one rendered piece (memoised: rendering re-encodes the same pieces for prompts and examples). */
  protected encode(text: string, allowSpecial = true): number[] {
    if (text.length === 0) return [];
    const cache = allowSpecial ? this.encodeCache : this.encodeCacheSplit;
    const hit = cache.get(text);
    if (hit) return hit;
    const ids = this.tokenizer.encode(text, { allowSpecial });
    if (cache.size >= ENCODE_CACHE_LIMIT) cache.clear();
    cache.set(text, ids);
    return ids;
  }

  protected tokenId(token: string): number {
    const id = this.tokenizer.tokenToId(token);
    if (id === undefined) {
      throw new RendererError(
        `renderer ${this.name}: tokenizer ${this.tokenizer.name} has no token ${JSON.stringify(token)}`,
      );
    }
    return id;
  }

  private contexts(messages: readonly Message[], turnStart: number): RenderContext[] {
    const lu = lastUserIndex(messages);
    return messages.map((_, idx) => {
      const ctx: RenderContext = {
        idx,
        isLast: idx === messages.length - 1,
        lastUserIndex: lu,
        inLastAssistantTurn: idx >= turnStart,
      };
      if (idx > 0) ctx.prevMessage = messages[idx - 1];
      if (idx < messages.length - 1) ctx.nextMessage = messages[idx + 1];
      return ctx;
    });
  }

  /**
   * A family's conversation rules, applied before rendering (a default or injected system message, an effort
   * sentence, …); identity here. Generation prompts and supervised examples both go through it, so it must be
   * idempotent: a supervised example re-renders its generation prompt from the normalized conversation.
   */
  protected normalizeMessages(messages: readonly Message[]): readonly Message[] {
    return messages;
  }

  buildGenerationPrompt(
    messages: readonly Message[],
    role: Role = "assistant",
    prefill?: string,
  ): ModelInput {
    const conversation = this.normalizeMessages(messages);
    const chunks: ModelInputChunk[] = [];
    const bos = this.bosTokens();
    if (bos.length > 0) chunks.push(textChunk([...bos]));
    const turnStart = this.lastAssistantTurnStartIndex(conversation);
    const ctxs = this.contexts(conversation, turnStart);
    conversation.forEach((m, idx) => {
      const r = this.renderMessage(m, ctxs[idx] as RenderContext);
      if (r.header && r.header.tokens.length > 0) chunks.push(r.header);
      for (const c of r.output) if (!(c.type === "encoded_text" && c.tokens.length === 0)) chunks.push(c);
    });
    const suffixCtx: RenderContext = {
      idx: conversation.length,
      isLast: true,
      lastUserIndex: lastUserIndex(conversation),
      inLastAssistantTurn: true,
    };
    if (conversation.length > 0) suffixCtx.prevMessage = conversation[conversation.length - 1];
    const suffix = this.generationSuffix(role, suffixCtx);
    if (suffix.length > 0) chunks.push(textChunk([...suffix]));
    if (prefill) chunks.push(textChunk(this.tokenizer.encode(prefill, { allowSpecial: true })));
    return { chunks };
  }

  protected outputIsTrained(
    trainOnWhat: TrainOnWhat,
    m: Message,
    idx: number,
    isLast: boolean,
    turnStart: number,
  ): boolean {
    switch (trainOnWhat) {
      case "last_assistant_message":
        return isLast && m.role === "assistant";
      case "last_assistant_turn":
        return m.role === "assistant" && idx >= turnStart;
      case "all_assistant_messages":
        return m.role === "assistant";
      case "all_messages":
      case "all_tokens":
        return true;
      case "all_user_and_system_messages":
        return m.role === "user" || m.role === "system";
      case "customized":
        return m.trainable === true;
    }
  }

  buildSupervisedExample(
    messages: readonly Message[],
    trainOnWhat: TrainOnWhat = "last_assistant_message",
  ): SupervisedExample {
    if (trainOnWhat === "all_assistant_messages" && !this.hasExtensionProperty) {
      warnOnce(
        `renderer ${this.name} lacks the extension property: ALL_ASSISTANT_MESSAGES trains earlier assistant turns in a ` +
          "context the model never sees at sampling time; consider buildSupervisedExamples",
      );
    }
    const conversation = this.normalizeMessages(messages);
    const chunks: ModelInputChunk[] = [];
    const chunkWeights: number[] = [];
    const push = (c: ModelInputChunk, w: number) => {
      if (c.type === "encoded_text" && c.tokens.length === 0) return;
      chunks.push(c);
      chunkWeights.push(w);
    };
    const bos = this.bosTokens();
    if (bos.length > 0) push(textChunk([...bos]), 0);
    const turnStart = this.lastAssistantTurnStartIndex(conversation.slice(0, -1));
    const ctxs = this.contexts(conversation, turnStart);
    const headerWeight = trainOnWhat === "all_tokens" ? 1 : 0;
    conversation.forEach((m, idx) => {
      if (trainOnWhat === "customized") {
        if (m.trainable === undefined) {
          throw new RendererError(
            `message ${idx}: TrainOnWhat "customized" needs \`trainable\` on every message`,
          );
        }
      } else if (m.trainable !== undefined) {
        throw new RendererError(
          `message ${idx}: \`trainable\` is only allowed with TrainOnWhat "customized" (got "${trainOnWhat}")`,
        );
      }
      const isLast = idx === conversation.length - 1;
      const r = this.renderMessage(m, ctxs[idx] as RenderContext);
      const w = this.outputIsTrained(trainOnWhat, m, idx, isLast, turnStart) ? 1 : 0;
      if (r.header) push(r.header, headerWeight);
      for (const c of r.output) push(c, w);
      if (isLast && r.stopOverlap) push(r.stopOverlap, w);
    });
    const lengths = chunks.map(chunkLength);
    const weights = new Float32Array(lengths.reduce((a, b) => a + b, 0));
    let pos = 0;
    chunks.forEach((_, i) => {
      const n = lengths[i] as number;
      weights.fill(chunkWeights[i] as number, pos, pos + n);
      pos += n;
    });
    const modelInput: ModelInput = { chunks };
    this.trainAfterGenerationPrompt(conversation, trainOnWhat, modelInput, weights);
    return { modelInput, weights };
  }

  /** Zeroes the weights of whatever the generation prompt would already have written (e.g. a prefilled think block). */
  private trainAfterGenerationPrompt(
    messages: readonly Message[],
    trainOnWhat: TrainOnWhat,
    modelInput: ModelInput,
    weights: Float32Array,
  ): void {
    let boundary: number;
    if (trainOnWhat === "last_assistant_message") boundary = messages.length - 1;
    else if (trainOnWhat === "last_assistant_turn") boundary = lastUserIndex(messages) + 1;
    else return;
    if (boundary < 0 || boundary >= messages.length || messages[boundary]?.role !== "assistant") return;
    // As the cookbook: with image chunks the token comparison is skipped and the weights kept.
    if (!modelInput.chunks.every((c) => c.type === "encoded_text")) return;
    const prompt = ModelInput.toInts(this.buildGenerationPrompt(messages.slice(0, boundary)));
    const tokens = ModelInput.toInts(modelInput);
    let isPrefix = prompt.length <= tokens.length;
    for (let i = 0; isPrefix && i < prompt.length; i++) if (prompt[i] !== tokens[i]) isPrefix = false;
    if (isPrefix) {
      weights.fill(0, 0, prompt.length);
      return;
    }
    if (this.disablesThinking) {
      throw new RendererError(
        `renderer ${this.name}: the supervised example does not start with the generation prompt, which closes the think ` +
          "block (reasoning is off); the target message must not contain reasoning",
      );
    }
  }

  /**
   * One example per trained assistant message for renderers without the extension property (each built from
   * the messages up to it); a single example otherwise.
   */
  buildSupervisedExamples(
    messages: readonly Message[],
    trainOnWhat: TrainOnWhat = "last_assistant_turn",
  ): SupervisedExample[] {
    if (this.hasExtensionProperty) return [this.buildSupervisedExample(messages, trainOnWhat)];
    let indices: number[];
    const assistant = messages.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
    if (trainOnWhat === "last_assistant_message") {
      const last = messages.length - 1;
      indices = messages[last]?.role === "assistant" ? [last] : [];
    } else if (trainOnWhat === "last_assistant_turn") {
      const start = lastUserIndex(messages) + 1;
      indices = assistant.filter((i) => i >= start);
    } else if (trainOnWhat === "all_assistant_messages") {
      indices = assistant;
    } else {
      throw new RendererError(
        `buildSupervisedExamples does not support TrainOnWhat "${trainOnWhat}" for renderer ${this.name}`,
      );
    }
    return indices.map((k) =>
      this.buildSupervisedExample(messages.slice(0, k + 1), "last_assistant_message"),
    );
  }

  /** Split on a single stop token: none → malformed (all text), one → text before it, more → error. */
  protected parseResponseForStopToken(
    tokens: readonly number[],
    stop: number,
  ): { text: string; clean: boolean } {
    let count = 0;
    let first = -1;
    tokens.forEach((t, i) => {
      if (t === stop) {
        count++;
        if (first < 0) first = i;
      }
    });
    if (count === 0) return { text: this.tokenizer.decode(tokens), clean: false };
    if (count === 1) return { text: this.tokenizer.decode(tokens.slice(0, first)), clean: true };
    throw new RendererError(
      `renderer ${this.name}: expected to split into 1 or 2 pieces on stop token ${stop}, got ${count + 1} (response contains ${count} stop tokens)`,
    );
  }
}
