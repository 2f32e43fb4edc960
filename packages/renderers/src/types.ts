import type { EncodedTextChunk, ModelInputChunk } from "@crucible/tinker-client";

export interface TextPart {
  type: "text";
  text: string;
}
export interface ThinkingPart {
  type: "thinking";
  thinking: string;
}
export interface ImagePart {
  type: "image";
  /** A data: URI, a local path or file:// URL, or encoded PNG/JPEG bytes (remote URLs are not fetched). */
  image: string | Uint8Array;
}
export type ContentPart = TextPart | ThinkingPart | ImagePart;
export type Content = string | ContentPart[];

export interface ToolCall {
  type: "function";
  id?: string;
  /** `arguments` is a JSON string (as produced by Python `json.dumps`). */
  function: { name: string; arguments: string };
}
export interface UnparsedToolCall {
  rawText: string;
  error: string;
}

export type Role = "system" | "user" | "assistant" | "tool" | (string & {});

export interface Message {
  role: Role;
  content: Content;
  toolCalls?: ToolCall[];
  unparsedToolCalls?: UnparsedToolCall[];
  /** Only for TrainOnWhat.CUSTOMIZED: whether this message's output is trained. */
  trainable?: boolean;
  toolCallId?: string;
  name?: string;
}

/** Why parsing stopped: the renderer's stop sequence, the tokenizer's EOS, or neither (truncated / garbled). */
export type ParseTermination = "stop_sequence" | "eos" | "malformed";
export const ParseTermination = {
  STOP_SEQUENCE: "stop_sequence",
  EOS: "eos",
  MALFORMED: "malformed",
} as const satisfies Record<string, ParseTermination>;

export interface ParseResult {
  message: Message;
  termination: ParseTermination;
}

export type TrainOnWhat =
  | "last_assistant_message"
  | "last_assistant_turn"
  | "all_assistant_messages"
  | "all_messages"
  | "all_tokens"
  | "all_user_and_system_messages"
  | "customized";
export const TrainOnWhat = {
  LAST_ASSISTANT_MESSAGE: "last_assistant_message",
  LAST_ASSISTANT_TURN: "last_assistant_turn",
  ALL_ASSISTANT_MESSAGES: "all_assistant_messages",
  ALL_MESSAGES: "all_messages",
  ALL_TOKENS: "all_tokens",
  ALL_USER_AND_SYSTEM_MESSAGES: "all_user_and_system_messages",
  CUSTOMIZED: "customized",
} as const satisfies Record<string, TrainOnWhat>;

export interface RenderedMessage {
  header?: EncodedTextChunk;
  output: ModelInputChunk[];
  /** Tokens appended after the last message of a supervised example (role_colon only). */
  stopOverlap?: EncodedTextChunk;
}

export interface RenderContext {
  idx: number;
  isLast: boolean;
  prevMessage?: Message;
  nextMessage?: Message;
  /** Index of the last user message, -1 if none. */
  lastUserIndex: number;
  inLastAssistantTurn: boolean;
}

export interface SupervisedExample {
  modelInput: import("@crucible/tinker-client").ModelInput;
  /** One float32 weight per token of modelInput. */
  weights: Float32Array;
}

/** Stop sequences are strings (role_colon) or token ids (every other renderer). */
export type StopSequences = string[] | number[];

/** What getRenderer passes to a renderer factory. */
export interface RendererOptions {
  /** Checks the renderer against the model table (a warning when not recommended). */
  modelName?: string;
  /** Sizes image parts for the vision renderers. */
  imageProcessor?: import("./image.js").ImageProcessor;
  /** Sizes image parts for the Kimi K2.5 / K2.6 renderers (e.g. KIMI_K25_MEDIA_PROCESSOR). */
  mediaProcessor?: import("./kimi-image.js").KimiMediaProcessor;
}

/** A tool the model may call (OpenAI function format, as the cookbook's ToolSpec). */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}
