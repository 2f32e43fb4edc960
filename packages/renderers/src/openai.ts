import { RendererError } from "./errors.js";
import { type PyJson, pyJsonDumps, pyJsonLoads, pyJsonToJs } from "./python-json.js";
import type { ContentPart, Message, ToolCall, ToolSpec } from "./types.js";

/** A tool call in OpenAI chat format; `arguments` a JSON string (or an object for templates that iterate it). */
export interface OpenAIToolCall {
  type: "function";
  id: string | null;
  function: { name: string; arguments: string | Record<string, unknown> };
}

export type OpenAIContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } };

/** A message in OpenAI chat-completions format. */
export interface OpenAIChatMessage {
  role: string;
  content: string | OpenAIContentPart[] | null;
  reasoning_content?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
  name?: string;
}

export interface OpenAITool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ToOpenAIOptions {
  /** Thinking in `reasoning_content` (Qwen3, Kimi, DeepSeek, gpt-oss) rather than `<think>…</think>` in the content. */
  reasoningContent: boolean;
  /** Tool-call arguments parsed to an object (Qwen3.5's template iterates them). */
  argumentsAsObject: boolean;
}

/** `Renderer.to_openai_message` and its overrides, selected by the options. */
export function toOpenAIMessage(message: Message, options: ToOpenAIOptions): OpenAIChatMessage {
  const out: OpenAIChatMessage = { role: message.role, content: "" };
  const c = message.content;
  if (typeof c === "string") out.content = c;
  else if (options.reasoningContent) {
    const thinking = c.flatMap((p) => (p.type === "thinking" ? [p.thinking] : []));
    out.content = c.map((p) => (p.type === "text" ? p.text : "")).join("");
    if (thinking.length > 0) out.reasoning_content = thinking.join("");
  } else {
    out.content = c
      .map((p) => {
        if (p.type === "text") return p.text;
        if (p.type === "thinking") return `<think>${p.thinking}</think>`;
        throw new RendererError(
          "toOpenAIMessage does not convert image parts (they would be dropped silently); use buildGenerationPrompt",
        );
      })
      .join("");
  }
  if (message.toolCalls && message.toolCalls.length > 0) {
    out.tool_calls = message.toolCalls.map((tc) => ({
      type: "function",
      id: tc.id ?? null,
      function: {
        name: tc.function.name,
        arguments: options.argumentsAsObject
          ? (pyJsonToJs(pyJsonLoads(tc.function.arguments)) as Record<string, unknown>)
          : tc.function.arguments,
      },
    }));
  }
  if (message.role === "tool") {
    if (message.toolCallId !== undefined) out.tool_call_id = message.toolCallId;
    if (message.name !== undefined) out.name = message.name;
  }
  return out;
}

/**
 * OpenAI chat messages → Messages (`openai_messages_to_tinker`, plus what it leaves out: `reasoning_content`
 * becomes a leading thinking part, content-part lists keep their text and image parts, object arguments are
 * serialised as Python's json.dumps would).
 */
export function messagesFromOpenAI(messages: readonly OpenAIChatMessage[]): Message[] {
  return messages.map((m, i) => {
    if (typeof m.role !== "string") throw new RendererError(`messages[${i}].role must be a string`);
    let content: Message["content"];
    if (m.content === null || m.content === undefined) content = "";
    else if (typeof m.content === "string") content = m.content;
    else {
      content = m.content.map((p, j): ContentPart => {
        if (p.type === "text") return { type: "text", text: p.text };
        if (p.type === "image_url") return { type: "image", image: p.image_url.url };
        throw new RendererError(
          `messages[${i}].content[${j}].type must be "text" or "image_url", got ${JSON.stringify((p as { type: unknown }).type)}`,
        );
      });
    }
    if (m.reasoning_content) {
      const parts =
        typeof content === "string" ? (content ? [{ type: "text" as const, text: content }] : []) : content;
      content = [{ type: "thinking", thinking: m.reasoning_content }, ...parts];
    }
    const out: Message = { role: m.role, content };
    if (m.name !== undefined) out.name = m.name;
    if (m.tool_call_id !== undefined) out.toolCallId = m.tool_call_id;
    if (m.tool_calls !== undefined) {
      out.toolCalls = m.tool_calls.map((tc, j): ToolCall => {
        if (tc.type !== "function" || typeof tc.function?.name !== "string") {
          throw new RendererError(
            `messages[${i}].tool_calls[${j}] must be {type: "function", function: {name, arguments}}`,
          );
        }
        const args = tc.function.arguments;
        const call: ToolCall = {
          type: "function",
          function: {
            name: tc.function.name,
            arguments: typeof args === "string" ? args : pyJsonDumps(args as unknown as PyJson),
          },
        };
        if (tc.id) call.id = tc.id;
        return call;
      });
    }
    return out;
  });
}

/** OpenAI tools → ToolSpecs (`openai_tools_to_tinker`: non-function tools skipped). */
export function toolSpecsFromOpenAI(tools: readonly OpenAITool[]): ToolSpec[] {
  return tools
    .filter((t) => t.type === "function")
    .map((t) => ({
      name: t.function.name,
      description: t.function.description ?? "",
      parameters: t.function.parameters ?? {},
    }));
}

/** ToolSpecs → OpenAI function tools (`tool_specs_to_openai_tools`). */
export function toolSpecsToOpenAI(tools: readonly ToolSpec[]): OpenAITool[] {
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}
