import type { ModelInputChunk } from "@crucible/tinker-client";
import { detectUnterminatedToolBlock, ensureList, ensureText, parseThinkBlocks } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { pyJsonDumps, pyJsonLoads } from "../python-json.js";
import { injectedSystemMessage, Renderer, textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  ContentPart,
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  StopSequences,
  SupervisedExample,
  ToolCall,
  ToolSpec,
  TrainOnWhat,
  UnparsedToolCall,
} from "../types.js";
import { warn } from "../warnings.js";

export interface KimiK2Options {
  /** Replace earlier turns' thinking with an empty `<think></think>` (default true, as the HF template). */
  stripThinkingFromHistory?: boolean;
}

const SECTION_RE =
  /<\|tool_calls_section_begin\|>([\s\S]*?)<\|tool_calls_section_end\|>|<\|tool_call_section_begin\|>([\s\S]*?)<\|tool_call_section_end\|>/;
const CALL_RE =
  /<\|tool_call_begin\|>\s*([^<]+:\d+)\s*<\|tool_call_argument_begin\|>\s*([\s\S]*?)\s*<\|tool_call_end\|>/g;

/** `functions.get_weather:0` → `get_weather` (`_extract_tool_name`). */
export function kimiToolName(toolId: string): string {
  if (!toolId) return "";
  let name = toolId.split(":", 1)[0] as string;
  const dot = name.indexOf(".");
  if (dot >= 0) name = name.slice(dot + 1);
  return name;
}

/** `_parse_tool_calls_section`: arguments kept verbatim when they are valid JSON. */
export function parseKimiToolCalls(section: string): { toolCalls: ToolCall[]; unparsed: UnparsedToolCall[] } {
  const toolCalls: ToolCall[] = [];
  const unparsed: UnparsedToolCall[] = [];
  CALL_RE.lastIndex = 0;
  for (let m = CALL_RE.exec(section); m !== null; m = CALL_RE.exec(section)) {
    const id = (m[1] as string).trim();
    const args = (m[2] as string).trim();
    try {
      pyJsonLoads(args);
    } catch (e) {
      unparsed.push({ rawText: m[0], error: `Invalid JSON: ${(e as Error).message}` });
      continue;
    }
    const tc: ToolCall = { type: "function", function: { name: kimiToolName(id), arguments: args } };
    if (id) tc.id = id;
    toolCalls.push(tc);
  }
  return { toolCalls, unparsed };
}

function danglingKimiToolBlock(content: string): UnparsedToolCall | null {
  for (const [open, close] of [
    ["<|tool_calls_section_begin|>", "<|tool_calls_section_end|>"],
    ["<|tool_call_section_begin|>", "<|tool_call_section_end|>"],
    ["<|tool_call_begin|>", "<|tool_call_end|>"],
  ] as const) {
    const d = detectUnterminatedToolBlock(content, open, close);
    if (d) return d;
  }
  return null;
}

/**
 * Kimi K2 Thinking (`KimiK2Renderer`): `<|im_user|>user<|im_middle|>…<|im_end|>`, a default system message when
 * none is given, `<think>…</think>` kept only in the last assistant turn (a turn starts after the last assistant
 * message without tool calls), tool calls in `<|tool_calls_section_begin|>` sections, tool results headed
 * `## Return of {tool_call_id}`. Each message body is one encoded piece.
 */
export class KimiK2Renderer extends Renderer {
  readonly name: string = "kimi_k2";
  static readonly DEFAULT_SYSTEM_PROMPT = "You are Kimi, an AI assistant created by Moonshot AI.";
  protected readonly stripThinkingFromHistory: boolean;

  constructor(tokenizer: Tokenizer, options: KimiK2Options = {}) {
    super(tokenizer);
    this.stripThinkingFromHistory = options.stripThinkingFromHistory ?? true;
  }

  /** `_ensure_system_message`: the template's default system message (after a leading tool_declare). */
  protected override normalizeMessages(messages: readonly Message[]): readonly Message[] {
    const system = injectedSystemMessage(KimiK2Renderer.DEFAULT_SYSTEM_PROMPT, messages);
    const first = messages[0];
    if (!first) return [system];
    if (first.role === "tool_declare") {
      if (messages[1]?.role === "system") return [...messages];
      return [first, system, ...messages.slice(1)];
    }
    if (first.role !== "system") return [system, ...messages];
    return [...messages];
  }

  protected imEnd(): number {
    return this.tokenId("<|im_end|>");
  }

  protected headerText(message: Message): string {
    const role = message.role;
    if (role === "user") return `<|im_user|>${role}<|im_middle|>`;
    if (role === "assistant") return `<|im_assistant|>${role}<|im_middle|>`;
    if (role === "tool") {
      let name = message.name;
      if (!name) {
        warn("Tool message missing 'name' field. Using 'tool' as fallback.");
        name = role;
      }
      const id = message.toolCallId ?? "";
      if (!id) {
        warn(
          "Tool message missing 'toolCallId'; KimiK2Renderer renders '## Return of {toolCallId}' and needs the id of the call",
        );
      }
      return `<|im_system|>${name}<|im_middle|>## Return of ${id}\n`;
    }
    return `<|im_system|>${role}<|im_middle|>`; // system, tool_declare and unknown roles
  }

  protected assistantText(message: Message, ctx: RenderContext): string {
    const parts = ensureList(message.content);
    const thinking = parts.map((p) => (p.type === "thinking" ? p.thinking : "")).join("");
    const text = parts.map((p) => (p.type === "text" ? p.text : "")).join("");
    const keep = ctx.inLastAssistantTurn || !this.stripThinkingFromHistory;
    let out = keep && thinking ? `<think>${thinking}</think>` : "<think></think>";
    out += text;
    const calls = message.toolCalls ?? [];
    if (calls.length > 0) {
      out += "<|tool_calls_section_begin|>";
      calls.forEach((tc, i) => {
        const id = tc.id || `functions.${tc.function.name}:${i}`;
        out += `<|tool_call_begin|>${id}<|tool_call_argument_begin|>${tc.function.arguments}<|tool_call_end|>`;
      });
      out += "<|tool_calls_section_end|>";
    }
    return `${out}<|im_end|>`;
  }

  /** Text with images (K2.5); K2 has no image support. */
  protected encodeMultipart(_parts: ContentPart[]): ModelInputChunk[] {
    throw new RendererError(
      `renderer ${this.name}: multipart/image content is not supported (Kimi K2 is text-only)`,
    );
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    const content = message.content;
    let output: ModelInputChunk[];
    if (message.role === "assistant") output = [textChunk(this.encode(this.assistantText(message, ctx)))];
    else if (typeof content === "string" || (content.length === 1 && content[0]?.type === "text")) {
      output = [textChunk(this.encode(`${ensureText(content)}<|im_end|>`))];
    } else output = this.encodeMultipart([...content, { type: "text", text: "<|im_end|>" }]);
    return { header: textChunk(this.encode(this.headerText(message))), output };
  }

  /** One example per user turn (the cookbook's split; LAST_* modes give one example). */
  override buildSupervisedExamples(
    messages: readonly Message[],
    trainOnWhat: TrainOnWhat = "last_assistant_turn",
  ): SupervisedExample[] {
    if (trainOnWhat === "last_assistant_message" || trainOnWhat === "last_assistant_turn") {
      return [this.buildSupervisedExample(messages, trainOnWhat)];
    }
    if (trainOnWhat !== "all_assistant_messages") {
      warn(
        `renderer ${this.name} lacks the extension property: "${trainOnWhat}" is applied to every user turn's example`,
      );
    }
    const userIdx = messages.flatMap((m, i) => (m.role === "user" ? [i] : []));
    return [...userIdx.slice(1), messages.length].map((end) =>
      this.buildSupervisedExample(
        messages.slice(0, end),
        trainOnWhat === "all_assistant_messages" ? "last_assistant_turn" : trainOnWhat,
      ),
    );
  }

  /** The turn starts after the last assistant message that called no tool. */
  protected override lastAssistantTurnStartIndex(messages: readonly Message[]): number {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as Message;
      if (m.role === "assistant" && !(m.toolCalls && m.toolCalls.length > 0)) return i + 1;
    }
    return 0;
  }

  getStopSequences(): StopSequences {
    return [this.imEnd()];
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(
      this.normalizeResponseTokens(tokens),
      this.imEnd(),
    );
    if (!clean) return { message: { role: "assistant", content: text }, termination: "malformed" };
    return { message: parseKimiText(text), termination: "stop_sequence" };
  }

  override get supportsStreaming(): boolean {
    return true;
  }
  protected override streamEndToken(): number {
    return this.imEnd();
  }
  protected override parseResponseForStreaming(tokens: readonly number[]): ParseResult {
    const { text, clean } = this.parseResponseForStopToken(tokens, this.imEnd());
    return { message: parseKimiText(text), termination: clean ? "stop_sequence" : "malformed" };
  }

  /** `reasoning_content` for thinking (the template reads it there). */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  /** K2 tool declarations: one `tool_declare` message of sorted compact JSON, then the system message. */
  override createConversationPrefixWithTools(tools: readonly ToolSpec[], systemPrompt = ""): Message[] {
    const out: Message[] = [];
    if (tools.length > 0) {
      const payload = tools.map((t) => ({ type: "function", function: t }));
      out.push({ role: "tool_declare", content: compactSortedJson(payload) });
    }
    out.push({ role: "system", content: systemPrompt || KimiK2Renderer.DEFAULT_SYSTEM_PROMPT });
    return out;
  }
}

/** Splits tool-call sections and think blocks out of a decoded Kimi response. */
export function parseKimiText(text: string): Message {
  const message: Message = { role: "assistant", content: text };
  const m = SECTION_RE.exec(text);
  let before = text;
  if (m) {
    before = text.slice(0, m.index);
    const { toolCalls, unparsed } = parseKimiToolCalls((m[1] ?? m[2]) as string);
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
    if (unparsed.length > 0) message.unparsedToolCalls = unparsed;
  }
  const dangling = danglingKimiToolBlock(text);
  if (dangling) message.unparsedToolCalls = [...(message.unparsedToolCalls ?? []), dangling];
  message.content = parseThinkBlocks(before) ?? before;
  return message;
}

/** `json.dumps(x, separators=(",", ":"), sort_keys=True)` (ensure_ascii as Python). */
export function compactSortedJson(value: unknown): string {
  return pyJsonDumps(sortKeys(value) as never).replace(
    /("(?:[^"\\]|\\.)*")|, |: /g,
    (s, str: string | undefined) => (str !== undefined ? str : s.trim()),
  );
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Map) return sortKeys(Object.fromEntries(v));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
