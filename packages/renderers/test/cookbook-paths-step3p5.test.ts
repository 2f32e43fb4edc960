import {
  getRecommendedRendererName,
  getRenderer,
  type Message,
  type Renderer,
  type TrainOnWhat,
} from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, STEP3P5_SPECIALS, step3p5Tokenizer } from "./family-tokenizer.js";
import { expectSupervisedPieces, type Piece } from "./piece-check.js";
import { qwen3Tokenizer } from "./tokenizers.js";

// Expected sequences follow tinker-cookbook's renderers/step3p5.py at 50d2e87f (Step3p5FlashRenderer.render_message:
// header `\n<|im_start|>role\n`, body + `<|im_end|>` encoded as one piece) over the base build_supervised_example;
// the family tokenizer holds ChatML's tokens over a byte vocabulary. The last block repeats step3p5_test.py's cases
// with Qwen3's tokenizer, as that file does.
const tok = step3p5Tokenizer();
const ids = (s: string) => expectedIds(tok, STEP3P5_SPECIALS, s);
const toInts = ModelInput.toInts;
const r = getRenderer("step3p5", tok);

function check(
  r: Renderer,
  messages: Message[],
  pieces: Piece[],
  mode: TrainOnWhat = "all_assistant_messages",
) {
  expectSupervisedPieces(r, messages, pieces, ids, mode);
}

describe("step3p5 (Step3p5FlashRenderer.render_message)", () => {
  it("thinking parts render verbatim as <think>…</think> in history and in the last reply (nothing stripped or framed)", () => {
    check(
      r,
      [
        { role: "system", content: "S" },
        { role: "user", content: "q1" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "old" },
            { type: "text", text: "x" },
          ],
        },
        { role: "user", content: "q2" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "\nt" },
            { type: "text", text: "\ny" },
          ],
        },
      ],
      [
        ["<|im_start|>system\n", 0],
        ["S<|im_end|>", 0],
        ["\n<|im_start|>user\n", 0],
        ["q1<|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        ["<think>old</think>x<|im_end|>", 1],
        ["\n<|im_start|>user\n", 0],
        ["q2<|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        ["<think>\nt</think>\ny<|im_end|>", 1],
      ],
    );
  });

  it("tool message: user header, <tool_response> wrapper; tool calls after '\\n' even with empty text", () => {
    check(
      r,
      [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { type: "function", id: "c1", function: { name: "f", arguments: '{"a":1,"b":[true]}' } },
          ],
        },
        { role: "tool", content: "42", toolCallId: "c1" },
        { role: "assistant", content: "done" },
      ],
      [
        ["<|im_start|>user\n", 0],
        ["q<|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        ['\n<tool_call>\n{"name": "f", "arguments": {"a": 1, "b": [true]}}\n</tool_call><|im_end|>', 1],
        ["\n<|im_start|>user\n", 0],
        ["<tool_response>\n42\n</tool_response><|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        ["done<|im_end|>", 1],
      ],
    );
  });

  it("two tool calls are joined by '\\n' after the text; an empty list still adds the newline", () => {
    const call = (name: string) => ({ type: "function" as const, function: { name, arguments: "{}" } });
    check(
      r,
      [
        { role: "user", content: "q" },
        { role: "assistant", content: "a", toolCalls: [call("f"), call("g")] },
      ],
      [
        ["<|im_start|>user\n", 0],
        ["q<|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        [
          'a\n<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "g", "arguments": {}}\n</tool_call><|im_end|>',
          1,
        ],
      ],
      "last_assistant_message",
    );
    check(
      r,
      [
        { role: "user", content: "q" },
        { role: "assistant", content: "a", toolCalls: [] },
      ],
      [
        ["<|im_start|>user\n", 0],
        ["q<|im_end|>", 0],
        ["\n<|im_start|>assistant\n", 0],
        ["a\n<|im_end|>", 1],
      ],
      "last_assistant_message",
    );
  });

  it("build_generation_prompt: the bare assistant header, no system message injected", () => {
    expect(toInts(r.buildGenerationPrompt([{ role: "user", content: "hi" }]))).toEqual(
      ids("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"),
    );
    expect(r.hasExtensionProperty).toBe(false); // base Renderer's default, as the cookbook class does not override it
  });

  it("parse_response: parse_content_blocks splits think and tool-call blocks; no stop token is malformed", () => {
    const parsed = r.parseResponse(
      ids('<think>why</think>ok<tool_call>\n{"name": "f", "arguments": {"x": 2}}\n</tool_call><|im_end|>'),
    );
    expect(parsed.termination).toBe("stop_sequence");
    expect(parsed.message.content).toEqual([
      { type: "thinking", thinking: "why" },
      { type: "text", text: "ok" },
    ]);
    expect(parsed.message.toolCalls).toEqual([
      { type: "function", function: { name: "f", arguments: '{"x": 2}' } },
    ]);
    const bad = r.parseResponse(ids("<tool_call>\nnot json\n</tool_call><|im_end|>"));
    expect(bad.message.unparsedToolCalls?.[0]?.rawText).toBe("<tool_call>\nnot json\n</tool_call>");
    expect(r.parseResponse(ids("plain<|im_end|>")).message).toEqual({ role: "assistant", content: "plain" });
    expect(r.parseResponse(ids("cut off")).termination).toBe("malformed");
  });

  it("create_conversation_prefix_with_tools: Qwen3's # Tools text after the prompt and a blank line", () => {
    const [sys] = r.createConversationPrefixWithTools(
      [{ name: "f", description: "d", parameters: { type: "object", properties: {} } }],
      "P",
    );
    expect(sys?.content).toBe(
      "P\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
        '{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}}\n' +
        "</tools>\n\nFor each function call, return a json object with function name and arguments within " +
        '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>',
    );
    expect(r.createConversationPrefixWithTools([])[0]?.content).toBe("");
  });

  it("to_openai_message: thinking as reasoning_content", () => {
    expect(
      r.toOpenAIMessage({
        role: "assistant",
        content: [
          { type: "thinking", thinking: "t" },
          { type: "text", text: "a" },
        ],
      }),
    ).toEqual({ role: "assistant", content: "a", reasoning_content: "t" });
  });

  it("model_info at 50d2e87f: stepfun-ai/Step-3.5-Flash → step3p5", () => {
    expect(getRecommendedRendererName("stepfun-ai/Step-3.5-Flash")).toBe("step3p5");
  });
});

describe("step3p5_test.py (Qwen3 tokenizer, as the cookbook's test)", () => {
  const qt = qwen3Tokenizer();
  const q = getRenderer("step3p5", qt);

  it("test_step3p5_basic_render / thinking_content / tool_call", () => {
    const basic = q.buildSupervisedExample([
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello!" },
      { role: "assistant", content: "Hi there!" },
    ]);
    expect(basic.weights.length).toBe(toInts(basic.modelInput).length);
    expect(qt.decode(toInts(basic.modelInput))).toBe(
      "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n" +
        "<|im_start|>assistant\nHi there!<|im_end|>",
    );
    const thinking = q.buildSupervisedExample([
      { role: "user", content: "What is 2+2?" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Let me compute 2+2." },
          { type: "text", text: "The answer is 4." },
        ],
      },
    ]);
    expect(qt.decode(toInts(thinking.modelInput))).toContain(
      "<think>Let me compute 2+2.</think>The answer is 4.",
    );
    const tool = q.buildSupervisedExample([
      {
        role: "assistant",
        content: [{ type: "text", text: "Let me search for that." }],
        toolCalls: [
          {
            type: "function",
            id: "call_123",
            function: { name: "web_search", arguments: '{"query": "weather today"}' },
          },
        ],
      },
    ]);
    expect(qt.decode(toInts(tool.modelInput))).toContain(
      'Let me search for that.\n<tool_call>\n{"name": "web_search", "arguments": {"query": "weather today"}}\n</tool_call>',
    );
  });

  it("test_step3p5_parse_response / stop_token", () => {
    const parsed = q.parseResponse(
      qt.encode("<think>Thinking step here.</think>Final answer here.<|im_end|>", { allowSpecial: true }),
    );
    expect(parsed.termination).toBe("stop_sequence");
    expect(parsed.message.content).toEqual([
      { type: "thinking", thinking: "Thinking step here." },
      { type: "text", text: "Final answer here." },
    ]);
    expect(q.getStopSequences()).toEqual(qt.encode("<|im_end|>", { allowSpecial: true }));
  });
});
