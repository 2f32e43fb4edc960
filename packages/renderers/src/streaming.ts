import type { Tokenizer } from "./tokenizer/tokenizer.js";
import type { Message, ParseResult } from "./types.js";

/** Emitted once, before any content of the message. */
export interface StreamingMessageHeader {
  type: "header";
  role: string;
}
/** New visible text since the last delta (concatenate to rebuild). */
export interface StreamingTextDelta {
  type: "text_delta";
  text: string;
  /** Index of the content block; increases when the block type changes. */
  contentIndex: number;
}
/** New reasoning text since the last delta. */
export interface StreamingThinkingDelta {
  type: "thinking_delta";
  thinking: string;
  contentIndex: number;
}
/** The complete parsed message, last. */
export interface StreamingMessage {
  type: "message";
  message: Message;
}
export type MessageDelta =
  | StreamingMessageHeader
  | StreamingTextDelta
  | StreamingThinkingDelta
  | StreamingMessage;

const REPLACEMENT = "\ufffd";
const MAX_TRAILING = 8;

/**
 * Incremental decoding that holds back tokens ending in an incomplete UTF-8 sequence (decoded as U+FFFD) until
 * the following tokens complete it (`Utf8TokenDecoder`).
 */
export class Utf8TokenDecoder {
  private pending: number[] = [];
  constructor(private readonly tokenizer: Tokenizer) {}

  /** Text for the tokens so far that decode completely, or null when everything is still buffered. */
  decode(tokens: readonly number[]): string | null {
    this.pending.push(...tokens);
    const all = this.tokenizer.decode(this.pending);
    if (!all.endsWith(REPLACEMENT)) {
      this.pending = [];
      return all;
    }
    for (let remove = 1; remove <= Math.min(this.pending.length, MAX_TRAILING); remove++) {
      const prefix = this.pending.slice(0, -remove);
      if (prefix.length === 0) break;
      const text = this.tokenizer.decode(prefix);
      if (!text.endsWith(REPLACEMENT)) {
        this.pending = this.pending.slice(-remove);
        return text;
      }
    }
    return null;
  }

  /** Whatever is left (may hold replacement characters). */
  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.tokenizer.decode(this.pending);
    this.pending = [];
    return text;
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (held back: it may become the tag). */
function partialTagLength(text: string, tag: string): number {
  for (let n = Math.min(text.length, tag.length - 1); n > 0; n--)
    if (text.endsWith(tag.slice(0, n))) return n;
  return 0;
}

/**
 * `ReasoningStreamingParser`: feeds sampled tokens one at a time and yields text and thinking deltas split at
 * `<think>` / `</think>` (partial tags held back), then the message the renderer's final parse gives.
 */
export class ReasoningStreamingParser {
  private readonly utf8: Utf8TokenDecoder;
  private text = "";
  private emitted = 0;
  private headerSent = false;
  private contentIndex = 0;
  private inThinking = false;
  private finished = false;
  private readonly tokens: number[] = [];

  constructor(
    tokenizer: Tokenizer,
    private readonly endToken: number,
    private readonly parseFinal: (tokens: readonly number[]) => ParseResult,
  ) {
    this.utf8 = new Utf8TokenDecoder(tokenizer);
  }

  *feed(token: number): Generator<MessageDelta> {
    if (this.finished) return;
    this.tokens.push(token);
    if (token === this.endToken) {
      this.finished = true;
      return;
    }
    const decoded = this.utf8.decode([token]);
    if (decoded === null) return;
    this.text += decoded;
    if (!this.headerSent) {
      this.headerSent = true;
      yield { type: "header", role: "assistant" };
    }
    yield* this.deltas();
  }

  private *deltas(): Generator<MessageDelta> {
    const text = this.text;
    let pos = this.emitted;
    while (pos < text.length) {
      const tag = this.inThinking ? "</think>" : "<think>";
      const at = text.indexOf(tag, pos);
      if (at < 0) {
        const safe = text.length - partialTagLength(text.slice(pos), tag);
        if (safe > pos) {
          yield this.delta(text.slice(pos, safe));
          this.emitted = safe;
        }
        return;
      }
      if (at > pos) yield this.delta(text.slice(pos, at));
      this.inThinking = !this.inThinking;
      this.contentIndex++;
      pos = at + tag.length;
      this.emitted = pos;
    }
  }

  private delta(s: string): MessageDelta {
    return this.inThinking
      ? { type: "thinking_delta", thinking: s, contentIndex: this.contentIndex }
      : { type: "text_delta", text: s, contentIndex: this.contentIndex };
  }

  *finish(): Generator<MessageDelta> {
    this.text += this.utf8.flush();
    if (!this.headerSent) {
      this.headerSent = true;
      yield { type: "header", role: "assistant" };
    }
    if (this.emitted < this.text.length) yield this.delta(this.text.slice(this.emitted));
    this.emitted = this.text.length;
    yield { type: "message", message: this.parseFinal(this.tokens).message };
  }
}
