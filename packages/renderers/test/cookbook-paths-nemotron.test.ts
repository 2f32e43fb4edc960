import { getRenderer, type Message, type Renderer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, NEMOTRON_SPECIALS, nemotronTokenizer } from "./family-tokenizer.js";

// Expected sequences follow nemotron3.py (over Qwen3_5Renderer / Qwen3VLRenderer.render_message) piece by piece;
// the test tokenizer holds Nemotron's chat tokens over a byte vocabulary.
const tok = nemotronTokenizer();
const ids = (s: string) => expectedIds(tok, NEMOTRON_SPECIALS, s);
const toInts = ModelInput.toInts;

function sequence(pieces: [string, number][]): { tokens: number[]; weights: number[] } {
  return {
    tokens: pieces.flatMap(([s]) => ids(s)),
    weights: pieces.flatMap(([s, w]) => ids(s).map(() => w)),
  };
}
function check(r: Renderer, messages: Message[], pieces: [string, number][]) {
  const { modelInput, weights } = r.buildSupervisedExample(messages, "all_assistant_messages");
  const want = sequence(pieces);
  expect(toInts(modelInput)).toEqual(want.tokens);
  expect(Array.from(weights)).toEqual(want.weights);
}

const history: Message[] = [
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
      { type: "thinking", thinking: "t" },
      { type: "text", text: "y" },
    ],
  },
];

describe("nemotron3 (Nemotron3Renderer)", () => {
  it("empty system message injected; history thinking → '<think></think>\\n' header suffix; one newline after </think>", () => {
    check(getRenderer("nemotron3", tok), history, [
      ["<|im_start|>system\n", 0],
      ["<|im_end|>", 0],
      ["\n<|im_start|>user\n", 0],
      ["q1<|im_end|>", 0],
      ["\n<|im_start|>assistant\n<think></think>\n", 0],
      ["x<|im_end|>", 1],
      ["\n<|im_start|>user\n", 0],
      ["q2<|im_end|>", 0],
      ["\n<|im_start|>assistant\n", 0],
      ["<think>\nt\n</think>\ny<|im_end|>", 1],
    ]);
  });

  it("preserve_thinking keeps history's block; ultra glues '<think>\\n…</think>' to the text", () => {
    const pre = getRenderer("nemotron3_preserve_thinking", tok);
    expect(pre.hasExtensionProperty).toBe(true);
    expect(tok.decode(toInts(pre.buildSupervisedExample(history).modelInput))).toContain(
      "<|im_start|>assistant\n<think>\nold\n</think>\nx<|im_end|>",
    );
    check(getRenderer("nemotron3_ultra", tok), history, [
      ["<|im_start|>system\n", 0],
      ["<|im_end|>", 0],
      ["\n<|im_start|>user\n", 0],
      ["q1<|im_end|>", 0],
      ["\n<|im_start|>assistant\n<think></think>", 0],
      ["x<|im_end|>", 1],
      ["\n<|im_start|>user\n", 0],
      ["q2<|im_end|>", 0],
      ["\n<|im_start|>assistant\n", 0],
      ["<think>\nt</think>y<|im_end|>", 1],
    ]);
  });

  it("tool calls end '</tool_call>\\n', tool responses '</tool_response>\\n', consecutive responses share a block", () => {
    const f = { type: "function" as const, function: { name: "f", arguments: '{"a": true}' } };
    const messages: Message[] = [
      { role: "system", content: "S" },
      { role: "user", content: "q" },
      { role: "assistant", content: "", toolCalls: [f, f] },
      { role: "tool", content: "r1" },
      { role: "tool", content: "r2" },
      { role: "assistant", content: "done" },
    ];
    const call = "<tool_call>\n<function=f>\n<parameter=a>\nTrue\n</parameter>\n</function>\n</tool_call>\n";
    check(getRenderer("nemotron3", tok), messages, [
      ["<|im_start|>system\n", 0],
      ["S<|im_end|>", 0],
      ["\n<|im_start|>user\n", 0],
      ["q<|im_end|>", 0],
      ["\n<|im_start|>assistant\n<think></think>", 0],
      [`\n${call}${call}<|im_end|>`, 1],
      ["\n<|im_start|>user\n", 0],
      ["<tool_response>\nr1\n</tool_response>\n", 0],
      ["<tool_response>\nr2\n</tool_response>\n<|im_end|>", 0],
      ["\n<|im_start|>assistant\n<think></think>", 0],
      ["done<|im_end|>", 1],
    ]);
  });

  it("generation prompts: <think>\\n, disable → <think></think>, low/medium effort on the last user message", () => {
    const q: Message[] = [{ role: "user", content: "q" }];
    const head = "<|im_start|>system\n<|im_end|>\n<|im_start|>user\n";
    expect(toInts(getRenderer("nemotron3", tok).buildGenerationPrompt(q))).toEqual(
      ids(`${head}q<|im_end|>\n<|im_start|>assistant\n<think>\n`),
    );
    for (const name of ["nemotron3_disable_thinking", "nemotron3_ultra_disable_thinking"]) {
      expect(toInts(getRenderer(name, tok).buildGenerationPrompt(q))).toEqual(
        ids(`${head}q<|im_end|>\n<|im_start|>assistant\n<think></think>`),
      );
    }
    expect(toInts(getRenderer("nemotron3_low_thinking", tok).buildGenerationPrompt(q))).toEqual(
      ids(`${head}q\n\n{reasoning effort: low}<|im_end|>\n<|im_start|>assistant\n<think>\n`),
    );
    expect(toInts(getRenderer("nemotron3_ultra_medium_thinking", tok).buildGenerationPrompt(q))).toEqual(
      ids(`${head}q\n\n{reasoning effort: efficient}<|im_end|>\n<|im_start|>assistant\n<think>\n`),
    );
  });

  it("parse_response: prefilled <think>\\n restored, one separator newline dropped, XML calls converted", () => {
    const r = getRenderer("nemotron3", tok);
    const { message, termination } = r.parseResponse(
      ids(
        "t\n</think>\ny\n<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>\n<|im_end|>",
      ),
    );
    expect(termination).toBe("stop_sequence");
    expect(message.content).toEqual([
      { type: "thinking", thinking: "t" },
      { type: "text", text: "y\n" },
      { type: "text", text: "\n" },
    ]);
    expect(message.toolCalls).toEqual([{ type: "function", function: { name: "f", arguments: '{"a": 1}' } }]);
  });

  it("create_conversation_prefix_with_tools: system prompt, then XML declarations", () => {
    const [sys] = getRenderer("nemotron3", tok).createConversationPrefixWithTools(
      [
        {
          name: "get",
          description: " Get it ",
          parameters: {
            type: "object",
            properties: { city: { type: "string", description: "City", enum: ["a", "b"], default: "a" } },
            required: ["city"],
            additionalProperties: false,
          },
        },
      ],
      "S",
    );
    const content = sys?.content as string;
    expect(
      content.startsWith("S\n\n# Tools\n\nYou have access to the following functions:\n\n<tools>\n"),
    ).toBe(true);
    expect(content).toContain(
      [
        "<function>",
        "<name>get</name>",
        "<description>Get it</description>",
        "<parameters>",
        "<parameter>",
        "<name>city</name>",
        "<type>string</type>",
        "<description>City</description>",
        '<enum>["a", "b"]</enum>',
        "<default>a</default>",
        "</parameter>",
        "<additionalProperties>False</additionalProperties>",
        '<required>["city"]</required>',
        "</parameters>",
        "</function>",
      ].join("\n"),
    );
    expect(content.endsWith("</IMPORTANT>")).toBe(true);
  });
});
