import { getRenderer, KimiK2Renderer, type Message } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, KIMI_SPECIALS, kimiTokenizer } from "./family-tokenizer.js";

// Expected sequences follow the Python cookbook's kimi_k2.py / kimi_k25.py path by path; the test tokenizer
// holds Kimi's special tokens (ids from 257) over a byte vocabulary, so `ids(text)` is the encoding Python's
// `tokenizer.encode(text)` performs on each piece (special tokens matched).
const tok = kimiTokenizer();
const ids = (s: string) => expectedIds(tok, KIMI_SPECIALS, s);
const SYS = `<|im_system|>system<|im_middle|>${KimiK2Renderer.DEFAULT_SYSTEM_PROMPT}<|im_end|>`;
const call = { type: "function" as const, function: { name: "get", arguments: '{"x": 1}' } };

describe("kimi_k2 (KimiK2Renderer.render_message, _ensure_system_message)", () => {
  const r = getRenderer("kimi_k2", tok);

  it("a tool exchange in the last turn keeps every thinking block; calls get functions.NAME:IDX ids", () => {
    const convo: Message[] = [
      { role: "user", content: "hi" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "t" },
          { type: "text", text: "a" },
        ],
        toolCalls: [call],
      },
      { role: "tool", content: "r", name: "get", toolCallId: "functions.get:0" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "t2" },
          { type: "text", text: "b" },
        ],
      },
    ];
    const pieces: [string, number][] = [
      ["<|im_system|>system<|im_middle|>", 0],
      [`${KimiK2Renderer.DEFAULT_SYSTEM_PROMPT}<|im_end|>`, 0],
      ["<|im_user|>user<|im_middle|>", 0],
      ["hi<|im_end|>", 0],
      ["<|im_assistant|>assistant<|im_middle|>", 0],
      [
        '<think>t</think>a<|tool_calls_section_begin|><|tool_call_begin|>functions.get:0<|tool_call_argument_begin|>{"x": 1}<|tool_call_end|><|tool_calls_section_end|><|im_end|>',
        1,
      ],
      ["<|im_system|>get<|im_middle|>## Return of functions.get:0\n", 0],
      ["r<|im_end|>", 0],
      ["<|im_assistant|>assistant<|im_middle|>", 0],
      ["<think>t2</think>b<|im_end|>", 1],
    ];
    const { modelInput, weights } = r.buildSupervisedExample(convo, "last_assistant_turn");
    expect(ModelInput.toInts(modelInput)).toEqual(pieces.flatMap(([s]) => ids(s)));
    expect(Array.from(weights)).toEqual(pieces.flatMap(([s, w]) => ids(s).map(() => w)));
  });

  it("history before the last non-tool-call assistant message gets an empty think block", () => {
    const convo: Message[] = [
      { role: "user", content: "q1" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "old" },
          { type: "text", text: "x" },
        ],
      },
      { role: "user", content: "q2" },
    ];
    expect(ModelInput.toInts(r.buildGenerationPrompt(convo))).toEqual(
      ids(
        `${SYS}<|im_user|>user<|im_middle|>q1<|im_end|><|im_assistant|>assistant<|im_middle|><think></think>x<|im_end|>` +
          "<|im_user|>user<|im_middle|>q2<|im_end|><|im_assistant|>assistant<|im_middle|>",
      ),
    );
  });

  it("parse_response splits think blocks and the tool-call section", () => {
    const text =
      '<think>r</think>ok<|tool_calls_section_begin|><|tool_call_begin|>functions.get:0<|tool_call_argument_begin|>{"x": 1}<|tool_call_end|><|tool_calls_section_end|><|im_end|>';
    expect(r.parseResponse(ids(text))).toEqual({
      message: {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "r" },
          { type: "text", text: "ok" },
        ],
        toolCalls: [
          { type: "function", id: "functions.get:0", function: { name: "get", arguments: '{"x": 1}' } },
        ],
      },
      termination: "stop_sequence",
    });
    const bad = r.parseResponse(
      ids("<|tool_calls_section_begin|><|tool_call_begin|>functions.f:0<|im_end|>"),
    );
    expect(bad.message.unparsedToolCalls?.[0]?.error).toMatch(/^unterminated tool block/);
  });

  it("create_conversation_prefix_with_tools: tool_declare of sorted compact JSON, then the system message", () => {
    const prefix = (r as KimiK2Renderer).createConversationPrefixWithTools([
      {
        name: "get",
        description: "Get é",
        parameters: { type: "object", properties: { x: { type: "integer", description: "a, b: c" } } },
      },
    ]);
    // json.dumps([...], separators=(",", ":"), sort_keys=True), as printed by CPython.
    expect(prefix).toEqual([
      {
        role: "tool_declare",
        content:
          '[{"function":{"description":"Get \\u00e9","name":"get","parameters":{"properties":{"x":{"description":"a, b: c","type":"integer"}},"type":"object"}},"type":"function"}]',
      },
      { role: "system", content: KimiK2Renderer.DEFAULT_SYSTEM_PROMPT },
    ]);
    const head = ids("<|im_system|>tool_declare<|im_middle|>[");
    expect(ModelInput.toInts(r.buildGenerationPrompt(prefix)).slice(0, head.length)).toEqual(head);
  });
});

describe("kimi_k25 / kimi_k26 (KimiK25Renderer: <think> prefill)", () => {
  const user: Message = { role: "user", content: "q" };
  const promptText = `${SYS}<|im_user|>user<|im_middle|>q<|im_end|><|im_assistant|>assistant<|im_middle|>`;

  it("the generation prompt ends with the prefill; training zeroes it", () => {
    for (const name of ["kimi_k25", "kimi_k26"]) {
      const r = getRenderer(name, tok);
      expect(ModelInput.toInts(r.buildGenerationPrompt([user]))).toEqual(ids(`${promptText}<think>`));
      const { modelInput, weights } = r.buildSupervisedExample([
        user,
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "t" },
            { type: "text", text: "a" },
          ],
        },
      ]);
      const body = "<think>t</think>a<|im_end|>";
      expect(ModelInput.toInts(modelInput)).toEqual(ids(promptText + body));
      const promptLen = ids(promptText).length + 1; // + the <think> token
      expect(Array.from(weights)).toEqual([
        ...new Array(promptLen).fill(0),
        ...new Array(ids(body).length - 1).fill(1),
      ]);
      // _normalize_response_tokens restores the prefilled <think>
      expect(r.parseResponse(ids("t</think>a<|im_end|>")).message.content).toEqual([
        { type: "thinking", thinking: "t" },
        { type: "text", text: "a" },
      ]);
    }
  });

  it("disable_thinking prefills <think></think> and refuses a reasoning target", () => {
    const r = getRenderer("kimi_k26_disable_thinking", tok);
    expect(ModelInput.toInts(r.buildGenerationPrompt([user]))).toEqual(ids(`${promptText}<think></think>`));
    expect(() =>
      r.buildSupervisedExample([
        user,
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "t" },
            { type: "text", text: "a" },
          ],
        },
      ]),
    ).toThrow(/thinking|reason/);
  });

  it("kimi_k26_preserve_thinking keeps earlier thinking", () => {
    const r = getRenderer("kimi_k26_preserve_thinking", tok);
    const convo: Message[] = [
      user,
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "old" },
          { type: "text", text: "x" },
        ],
      },
      { role: "user", content: "q2" },
    ];
    expect(tok.decode(ModelInput.toInts(r.buildGenerationPrompt(convo)))).toContain(
      "<|im_middle|><think>old</think>x<|im_end|>",
    );
    expect(
      tok.decode(ModelInput.toInts(getRenderer("kimi_k26", tok).buildGenerationPrompt(convo))),
    ).toContain("<|im_middle|><think></think>x<|im_end|>");
  });
});
