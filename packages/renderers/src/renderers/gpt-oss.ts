import { ensureList, ensureText } from "../content.js";
import { RendererError } from "../errors.js";
import { type OpenAIChatMessage, toOpenAIMessage } from "../openai.js";
import { PythonJsonError, pyJsonLoads } from "../python-json.js";
import { Renderer, textChunk } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type {
  ContentPart,
  Message,
  ParseResult,
  RenderContext,
  RenderedMessage,
  Role,
  StopSequences,
  SupervisedExample,
  ToolCall,
  TrainOnWhat,
  UnparsedToolCall,
} from "../types.js";
import { warnOnce } from "../warnings.js";

export interface GptOssOptions {
  /** Prepend OpenAI's system prompt (needs reasoningEffort). */
  useSystemPrompt?: boolean;
  reasoningEffort?: "low" | "medium" | "high";
  /** Date written into the system prompt (YYYY-MM-DD); today when omitted. Fix it for reproducible prompts. */
  currentDate?: string;
}

const INTERNAL_SYSTEM = "_gptoss_internal_system";

/** OpenAI gpt-oss Harmony format: `<|start|>role<|channel|>…<|message|>…<|end|>`; the last reply ends with `<|return|>`. */
export class GptOssRenderer extends Renderer {
  readonly name: string;
  private readonly options: GptOssOptions;

  constructor(tokenizer: Tokenizer, options: GptOssOptions = {}, name?: string) {
    super(tokenizer);
    if ((options.useSystemPrompt ?? false) !== (options.reasoningEffort !== undefined)) {
      throw new RendererError("gpt_oss: reasoningEffort must be set if and only if useSystemPrompt is true");
    }
    this.options = options;
    this.name =
      name ??
      (options.reasoningEffort ? `gpt_oss_${options.reasoningEffort}_reasoning` : "gpt_oss_no_sysprompt");
  }

  private systemMessage(): Message | null {
    if (!this.options.useSystemPrompt) return null;
    const date = this.options.currentDate ?? new Date().toISOString().slice(0, 10);
    return {
      role: INTERNAL_SYSTEM,
      content:
        "You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n" +
        `Current date: ${date}\n\nReasoning: ${this.options.reasoningEffort}\n\n` +
        "# Valid channels: analysis, commentary, final. Channel must be included for every message.",
    };
  }

  /** With CUSTOMIZED the built-in system prompt is marked untrained (Python leaves it unmarked and fails). */
  private withSystem(messages: readonly Message[], trainOnWhat?: TrainOnWhat): readonly Message[] {
    const sys = this.systemMessage();
    if (!sys) return messages;
    if (trainOnWhat === "customized") sys.trainable = false;
    if (messages[0]?.role === "system") {
      warnOnce(
        "gpt_oss: useSystemPrompt is on and the messages start with a system message; both will be rendered",
      );
    }
    return [sys, ...messages];
  }

  override buildGenerationPrompt(messages: readonly Message[], role: Role = "assistant", prefill?: string) {
    return super.buildGenerationPrompt(this.withSystem(messages), role, prefill);
  }

  override buildSupervisedExample(
    messages: readonly Message[],
    trainOnWhat: TrainOnWhat = "last_assistant_message",
  ): SupervisedExample {
    return super.buildSupervisedExample(this.withSystem(messages, trainOnWhat), trainOnWhat);
  }

  renderMessage(message: Message, ctx: RenderContext): RenderedMessage {
    if (message.role === "tool") return this.renderToolResult(message);
    const role =
      message.role === INTERNAL_SYSTEM ? "system" : message.role === "system" ? "developer" : message.role;
    let out = "";
    let toolCalls: ToolCall[] = [];
    if (message.role === "assistant") {
      const parts = ensureList(message.content);
      const text = parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
      const thinking = parts.flatMap((p) => (p.type === "thinking" ? [p.thinking] : [])).join("");
      toolCalls = message.toolCalls ?? [];
      if (thinking) out += `<|channel|>analysis<|message|>${thinking}<|end|><|start|>assistant`;
      if (toolCalls.length > 0) {
        if (text) out += `<|channel|>commentary<|message|>${text}<|end|><|start|>assistant`;
        out += toolCalls
          .map(
            (tc) =>
              ` to=functions.${tc.function.name}<|channel|>commentary <|constrain|>json<|message|>${tc.function.arguments}<|call|>`,
          )
          .join("<|start|>assistant");
      } else {
        out += `<|channel|>final<|message|>${text}${ctx.isLast ? "<|return|>" : "<|end|>"}`;
      }
    } else if (message.role === "system") {
      out = `<|message|># Instructions\n\n${ensureText(message.content)}\n\n<|end|>`;
    } else {
      out = `<|message|>${ensureText(message.content)}<|end|>`;
    }
    return { header: textChunk(this.encode(`<|start|>${role}`)), output: [textChunk(this.encode(out))] };
  }

  private renderToolResult(message: Message): RenderedMessage {
    let name = message.name ?? "";
    if (!name) {
      warnOnce("gpt_oss: tool message without `name`; rendering it as functions.unknown");
      name = "unknown";
    }
    if (!name.startsWith("functions.")) name = `functions.${name}`;
    return {
      header: textChunk(this.encode(`<|start|>${name} to=assistant`)),
      output: [
        textChunk(this.encode(`<|channel|>commentary<|message|>${ensureText(message.content)}<|end|>`)),
      ],
    };
  }

  getStopSequences(): StopSequences {
    return [this.tokenId("<|return|>"), this.tokenId("<|call|>")];
  }
  /** `reasoning_content` for thinking (the cookbook's override). */
  override toOpenAIMessage(message: Message): OpenAIChatMessage {
    return toOpenAIMessage(message, { reasoningContent: true, argumentsAsObject: false });
  }

  parseResponse(tokens: readonly number[]): ParseResult {
    const ret = this.tokenId("<|return|>");
    const call = this.tokenId("<|call|>");
    const nRet = tokens.filter((t) => t === ret).length;
    const nCall = tokens.filter((t) => t === call).length;
    if (nRet === 0 && nCall === 0) {
      return {
        message: { role: "assistant", content: this.tokenizer.decode(tokens) },
        termination: "malformed",
      };
    }
    if (nCall > 1 || nRet > 1) {
      throw new RendererError(
        `gpt_oss: expected at most one <|call|> and one <|return|> token, got ${nCall} and ${nRet}; check the sampling stop tokens`,
      );
    }
    const idx = [tokens.indexOf(ret), tokens.indexOf(call)].filter((i) => i >= 0);
    const text = this.tokenizer.decode(tokens.slice(0, Math.min(...idx)));
    const { parts, toolCalls, unparsed } = parseHarmony(text);
    const message: Message = { role: "assistant", content: parts.length > 0 ? parts : text };
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
    if (unparsed.length > 0) message.unparsedToolCalls = unparsed;
    return { message, termination: "stop_sequence" };
  }
}

interface HarmonyMessage {
  channel: string | null;
  recipient: string | null;
  content: string;
  rawText: string;
}

function parseHarmonyMessages(content: string): HarmonyMessage[] {
  const out: HarmonyMessage[] = [];
  let idx = 0;
  for (;;) {
    const msgIdx = content.indexOf("<|message|>", idx);
    if (msgIdx < 0) break;
    let headerStart = content.lastIndexOf("<|start|>", msgIdx);
    if (headerStart < idx) headerStart = idx;
    const header = content.slice(headerStart, msgIdx);
    const start = msgIdx + "<|message|>".length;
    let end = content.length;
    let endToken = "";
    for (const t of ["<|end|>", "<|call|>", "<|return|>"]) {
      const i = content.indexOf(t, start);
      if (i >= 0 && i < end) {
        end = i;
        endToken = t;
      }
    }
    out.push({
      channel: /<\|channel\|>([^<\s]+)/.exec(header)?.[1] ?? null,
      recipient: /to=([^\s<]+)/.exec(header)?.[1] ?? null,
      content: content.slice(start, end),
      rawText: content.slice(headerStart, end + endToken.length),
    });
    idx = end + endToken.length;
  }
  return out;
}

function parseHarmony(text: string): {
  parts: ContentPart[];
  toolCalls: ToolCall[];
  unparsed: UnparsedToolCall[];
} {
  const parts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const unparsed: UnparsedToolCall[] = [];
  for (const m of parseHarmonyMessages(text)) {
    if (!m.content.trim()) continue;
    if (m.recipient?.startsWith("functions.")) {
      let args = m.content.trim();
      let ok = tryJson(args);
      // The most common model error: a trailing "]}" instead of "}".
      if (!ok && args.endsWith("]}") && tryJson(`${args.slice(0, -2)}}`)) {
        args = `${args.slice(0, -2)}}`;
        ok = true;
      }
      if (ok)
        toolCalls.push({
          type: "function",
          function: { name: m.recipient.slice("functions.".length), arguments: args },
        });
      else unparsed.push({ rawText: m.rawText, error: `Invalid JSON: ${args.slice(0, 100)}` });
      continue;
    }
    if (m.channel === "analysis") parts.push({ type: "thinking", thinking: m.content });
    else if (m.channel === "final" || m.channel === "commentary")
      parts.push({ type: "text", text: m.content });
  }
  return { parts, toolCalls, unparsed };
}

function tryJson(s: string): boolean {
  try {
    pyJsonLoads(s);
    return true;
  } catch (e) {
    if (e instanceof PythonJsonError) return false;
    throw e;
  }
}
