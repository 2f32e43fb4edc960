import {
  GRANITE4_DEFAULT_SYSTEM_PROMPT,
  Granite4Renderer,
  getRecommendedRendererNames,
  getRenderer,
  type Message,
  type Renderer,
  RendererError,
  type TrainOnWhat,
} from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, GRANITE4_SPECIALS, granite4Tokenizer } from "./family-tokenizer.js";
import { expectSupervisedPieces, type Piece, THINKING_HISTORY } from "./piece-check.js";

// Expected sequences follow tinker-cookbook's renderers/granite4.py at d4511079 (an unmerged pull request):
// Granite4Renderer.render_message (header `\n<|start_of_role|>role<|end_of_role|>`, body + `<|end_of_text|>` encoded as
// one piece), _ensure_system_message, parse_response and Granite4DisableThinkingRenderer, over the base
// build_supervised_example / build_generation_prompt. The family tokenizer holds Granite's role tokens over bytes.
const tok = granite4Tokenizer();
const ids = (s: string) => expectedIds(tok, GRANITE4_SPECIALS, s);
const toInts = ModelInput.toInts;
const r = getRenderer("granite4", tok);
const off = getRenderer("granite4_disable_thinking", tok);
const SYS = `<|start_of_role|>system<|end_of_role|>${GRANITE4_DEFAULT_SYSTEM_PROMPT}<|end_of_text|>`;

function check(
  r: Renderer,
  messages: Message[],
  pieces: Piece[],
  mode: TrainOnWhat = "all_assistant_messages",
) {
  expectSupervisedPieces(r, messages, pieces, ids, mode);
}

const thinkingHistory = THINKING_HISTORY;

describe("granite4 (Granite4Renderer)", () => {
  it("_ensure_system_message injects the static default; history thinking stripped, the last reply's kept verbatim", () => {
    check(r, thinkingHistory, [
      ["<|start_of_role|>system<|end_of_role|>", 0],
      [`${GRANITE4_DEFAULT_SYSTEM_PROMPT}<|end_of_text|>`, 0],
      ["\n<|start_of_role|>user<|end_of_role|>", 0],
      ["q1<|end_of_text|>", 0],
      ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
      ["x<|end_of_text|>", 1],
      ["\n<|start_of_role|>user<|end_of_role|>", 0],
      ["q2<|end_of_text|>", 0],
      ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
      ["<think>t</think>y<|end_of_text|>", 1],
    ]);
    expect(r.hasExtensionProperty).toBe(false);
  });

  it("a given system message is kept; strip_thinking_from_history=False keeps history thinking and claims extension", () => {
    const keep = new Granite4Renderer(tok, { stripThinkingFromHistory: false });
    expect(keep.hasExtensionProperty).toBe(true);
    check(
      keep,
      [{ role: "system", content: "S" }, ...thinkingHistory.slice(0, 2)],
      [
        ["<|start_of_role|>system<|end_of_role|>", 0],
        ["S<|end_of_text|>", 0],
        ["\n<|start_of_role|>user<|end_of_role|>", 0],
        ["q1<|end_of_text|>", 0],
        ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
        ["<think>old</think>x<|end_of_text|>", 1],
      ],
    );
  });

  it("tool calls: '\\n' + JSON blocks only for a non-empty list; tool messages keep role 'tool', text via ensure_text", () => {
    check(
      r,
      [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { type: "function", id: "c1", function: { name: "f", arguments: '{"a":1}' } },
            { type: "function", id: "c2", function: { name: "g", arguments: "{}" } },
          ],
        },
        { role: "tool", content: [{ type: "text", text: "42" }], toolCallId: "c1" },
        { role: "assistant", content: "done", toolCalls: [] },
      ],
      [
        [SYS, 0],
        ["\n<|start_of_role|>user<|end_of_role|>", 0],
        ["q<|end_of_text|>", 0],
        ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
        [
          '\n<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>\n<tool_call>\n{"name": "g", "arguments": {}}\n</tool_call><|end_of_text|>',
          1,
        ],
        ["\n<|start_of_role|>tool<|end_of_role|>", 0],
        ["42<|end_of_text|>", 0],
        ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
        ["done<|end_of_text|>", 1],
      ],
    );
    expect(() =>
      r.buildSupervisedExample([
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
      ]),
    ).toThrow(RendererError);
  });

  it("build_generation_prompt: default system message, then the bare assistant header", () => {
    expect(toInts(r.buildGenerationPrompt([]))).toEqual(
      ids(`${SYS}\n<|start_of_role|>assistant<|end_of_role|>`),
    );
    expect(toInts(r.buildGenerationPrompt([{ role: "user", content: "hi" }]))).toEqual(
      ids(
        `${SYS}\n<|start_of_role|>user<|end_of_role|>hi<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|>`,
      ),
    );
  });

  it("parse_response: tool calls cut out (with the whitespace before them), rest stripped, then <think> blocks", () => {
    const p = r.parseResponse(
      ids(
        '<think>r</think>ok \n<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>\n<|end_of_text|>',
      ),
    );
    expect(p.termination).toBe("stop_sequence");
    expect(p.message.toolCalls).toEqual([
      { type: "function", function: { name: "f", arguments: '{"x": 1}' } },
    ]);
    expect(p.message.content).toEqual([
      { type: "thinking", thinking: "r" },
      { type: "text", text: "ok" },
    ]);
    const bad = r.parseResponse(
      ids(
        'a<tool_call>nope</tool_call><tool_call>{"name": "f"}</tool_call><tool_call>{"name": "g", "arguments": "s"}</tool_call><|end_of_text|>',
      ),
    );
    expect(bad.message.unparsedToolCalls?.map((u) => u.rawText)).toEqual([
      "<tool_call>nope</tool_call>",
      '<tool_call>{"name": "f"}</tool_call>',
    ]);
    // json.dumps(payload["arguments"]) takes any JSON value.
    expect(bad.message.toolCalls).toEqual([{ type: "function", function: { name: "g", arguments: '"s"' } }]);
    expect(bad.message.content).toBe("a");
    expect(r.parseResponse(ids("  plain  <|end_of_text|>")).message.content).toBe("  plain  ");
    expect(r.parseResponse(ids("cut")).termination).toBe("malformed");
    expect(r.getStopSequences()).toEqual(ids("<|end_of_text|>"));
  });

  it("create_conversation_prefix_with_tools: the prompt (or the default) then Granite's tool instructions", () => {
    const tools = [{ name: "f", description: "d", parameters: { type: "object", properties: {} } }];
    expect(r.createConversationPrefixWithTools(tools)[0]?.content).toBe(
      `${GRANITE4_DEFAULT_SYSTEM_PROMPT}\n\nYou have access to the following tools. Use them by responding with <tool_call> XML tags:\n\n` +
        '<tools>\n{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}}\n</tools>\n\n' +
        "For each function call, return a JSON object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
        '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>',
    );
    expect(r.createConversationPrefixWithTools([], "P")[0]?.content).toBe("P");
  });

  it("to_openai_message: thinking as reasoning_content; model_info at d4511079 recommends granite4 first", () => {
    expect(
      r.toOpenAIMessage({
        role: "assistant",
        content: [
          { type: "thinking", thinking: "t" },
          { type: "text", text: "a" },
        ],
      }),
    ).toEqual({ role: "assistant", content: "a", reasoning_content: "t" });
    expect(getRecommendedRendererNames("ibm-granite/granite-4.0-tiny-preview")).toEqual([
      "granite4",
      "granite4_disable_thinking",
    ]);
  });
});

describe("granite4_disable_thinking (Granite4DisableThinkingRenderer)", () => {
  it("the last reply's header gets <think>\\n\\n</think>\\n\\n (encoded on its own); earlier replies do not", () => {
    check(
      off,
      [
        { role: "user", content: "q1" },
        { role: "assistant", content: "x" },
        { role: "user", content: "q2" },
        { role: "assistant", content: "y" },
      ],
      [
        [SYS, 0],
        ["\n<|start_of_role|>user<|end_of_role|>", 0],
        ["q1<|end_of_text|>", 0],
        ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
        ["x<|end_of_text|>", 1],
        ["\n<|start_of_role|>user<|end_of_role|>", 0],
        ["q2<|end_of_text|>", 0],
        ["\n<|start_of_role|>assistant<|end_of_role|><think>\n\n</think>\n\n", 0],
        ["y<|end_of_text|>", 1],
      ],
    );
    expect(off.hasExtensionProperty).toBe(true);
    expect(toInts(off.buildGenerationPrompt([{ role: "user", content: "hi" }]))).toEqual(
      ids(
        `${SYS}\n<|start_of_role|>user<|end_of_role|>hi<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|><think>\n\n</think>\n\n`,
      ),
    );
  });

  it("a last reply that already thinks (a part, or '<think>' in its string) gets no empty block", () => {
    for (const content of [
      [
        { type: "thinking" as const, thinking: "t" },
        { type: "text" as const, text: "y" },
      ],
      "<think>t</think>y",
    ]) {
      check(
        off,
        [
          { role: "system", content: "S" },
          { role: "user", content: "q" },
          { role: "assistant", content },
        ],
        [
          ["<|start_of_role|>system<|end_of_role|>", 0],
          ["S<|end_of_text|>", 0],
          ["\n<|start_of_role|>user<|end_of_role|>", 0],
          ["q<|end_of_text|>", 0],
          ["\n<|start_of_role|>assistant<|end_of_role|>", 0],
          ["<think>t</think>y<|end_of_text|>", 1],
        ],
        "last_assistant_message",
      );
    }
  });
});
