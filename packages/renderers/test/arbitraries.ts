import {
  type ContentPart,
  type Message,
  pyJsonDumps,
  QWEN3_VL_IMAGE_PROCESSOR,
  type RendererOptions,
  type Tokenizer,
} from "@crucible/renderers";
import { ModelInput as MI, type ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { PNG } from "pngjs";
import { glmTokenizer, granite4Tokenizer, kimiTokenizer, nemotronTokenizer } from "./family-tokenizer.js";
import { deepseekTokenizer, gptOssTokenizer, llama3Tokenizer, qwen3Tokenizer } from "./tokenizers.js";

export interface RendererUnderTest {
  name: string;
  tokenizer: () => Tokenizer;
  thinking: "anywhere" | "history" | "none";
  tools: boolean;
  /** The last reply keeps its thinking when rendered (false: renderer drops it). */
  lastKeepsThinking: boolean;
  /** LAST_ASSISTANT_TURN's untrained prefix equals the prompt even when the turn has several replies. */
  turnPrefixWithTools: boolean;
  /** User messages may hold image parts (vision renderers). */
  images?: boolean;
  /** The renderer adds a system message of its own (the per-message weight counts do not apply). */
  prependsSystem?: boolean;
  /** The prompt ends `<think>\n` but a reply without reasoning renders `<think></think>` (nemotron3, as the cookbook). */
  emptyThinkMismatch?: boolean;
  /**
   * Claims the extension property as the cookbook does, but only the last reply's header gets the empty think block
   * the prompts end with, so earlier prompts prefix the example only up to that block (granite4_disable_thinking).
   */
  lastOnlyEmptyThink?: boolean;
  /** Passed to getRenderer. */
  options?: RendererOptions;
}

/** Token ids with each image chunk spread over its expected tokens as a marker (positions match weights). */
export function flat(mi: ModelInput): number[] {
  const out: number[] = [];
  for (const c of mi.chunks) {
    if (c.type === "encoded_text") out.push(...c.tokens);
    else if (c.type === "image") {
      const marker = -1 - (c.data.length % 1000);
      for (let i = 0; i < (c.expectedTokens ?? 0); i++) out.push(marker);
    } else out.push(...MI.toInts({ chunks: [c] }));
  }
  return out;
}

function pngDataUri(width: number, height: number, shade: number): string {
  const p = new PNG({ width, height });
  p.data.fill(shade);
  return `data:image/png;base64,${PNG.sync.write(p).toString("base64")}`;
}
const imageArb = fc
  .tuple(fc.integer({ min: 8, max: 64 }), fc.integer({ min: 8, max: 64 }), fc.integer({ min: 0, max: 255 }))
  .map(([w, h, shade]): ContentPart => ({ type: "image", image: pngDataUri(w, h, shade) }));

/** Every renderer of §D, with the conversation features it supports. */
export const RENDERERS: RendererUnderTest[] = [
  {
    name: "role_colon",
    tokenizer: llama3Tokenizer,
    thinking: "none",
    tools: false,
    lastKeepsThinking: false,
    turnPrefixWithTools: true,
  },
  {
    name: "llama3",
    tokenizer: llama3Tokenizer,
    thinking: "none",
    tools: false,
    lastKeepsThinking: false,
    turnPrefixWithTools: true,
  },
  {
    name: "qwen3",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
  },
  // qwen3_disable_thinking: an earlier reply of the last turn is not framed, so the prompt's closed think block
  // does not prefix it and training the whole turn is refused (RendererError), as in the cookbook.
  {
    name: "qwen3_disable_thinking",
    tokenizer: qwen3Tokenizer,
    thinking: "history",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: false,
  },
  {
    name: "qwen3_instruct",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
  },
  // qwen3_5: replies after the last user message carry a closed think block in their header, which the
  // `<think>\n` generation prompt does not prefix (only the last reply's header is split), as in the cookbook.
  {
    name: "qwen3_vl",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
    images: true,
    options: { imageProcessor: QWEN3_VL_IMAGE_PROCESSOR },
  },
  {
    name: "qwen3_vl_instruct",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
    images: true,
    options: { imageProcessor: QWEN3_VL_IMAGE_PROCESSOR },
  },
  {
    name: "qwen3_5",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: false,
  },
  // qwen3_8: every reply without reasoning carries a closed empty block, which the `<think>\n` prompt does not
  // prefix (as qwen3_5); the effort sentence becomes (part of) a system message.
  ...(["qwen3_8_xhigh_reasoning", "qwen3_8_low_reasoning", "qwen3_8_medium_reasoning"] as const).map(
    (name): RendererUnderTest => ({
      name,
      tokenizer: qwen3Tokenizer,
      thinking: "anywhere",
      tools: true,
      lastKeepsThinking: true,
      turnPrefixWithTools: false,
      images: true,
      prependsSystem: name !== "qwen3_8_medium_reasoning",
      options: { imageProcessor: QWEN3_VL_IMAGE_PROCESSOR },
    }),
  ),
  {
    name: "qwen3_8_disable_thinking",
    tokenizer: qwen3Tokenizer,
    thinking: "history",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: true,
    images: true,
    options: { imageProcessor: QWEN3_VL_IMAGE_PROCESSOR },
  },
  {
    name: "qwen3_5_disable_thinking",
    tokenizer: qwen3Tokenizer,
    thinking: "history",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: true,
  },
  {
    name: "deepseekv3",
    tokenizer: deepseekTokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: true,
  },
  // deepseekv3_thinking: an earlier reply of the last turn gets `</think>` in its header; the prompt prefills `<think>`.
  {
    name: "deepseekv3_thinking",
    tokenizer: deepseekTokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: false,
  },
  // glm5_3: the `[gMASK]<sop><|system|>Reasoning Effort: …` prefix is a BOS chunk, not a message; thinking is kept in
  // history, every reply opens `<think>` (the prompt's prefill sits in the target's untrained header).
  ...(["glm5_3_max_reasoning", "glm5_3_low_reasoning", "glm5_3_high_reasoning"] as const).map(
    (name): RendererUnderTest => ({
      name,
      tokenizer: glmTokenizer,
      thinking: "anywhere",
      tools: true,
      lastKeepsThinking: true,
      turnPrefixWithTools: true,
    }),
  ),
  ...(["kimi_k2", "kimi_k25", "kimi_k26_preserve_thinking"] as const).map(
    (name): RendererUnderTest => ({
      name,
      tokenizer: kimiTokenizer,
      thinking: "anywhere",
      tools: true,
      lastKeepsThinking: true,
      turnPrefixWithTools: true,
      prependsSystem: true,
    }),
  ),
  {
    name: "kimi_k25_disable_thinking",
    tokenizer: kimiTokenizer,
    thinking: "history",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: false,
    prependsSystem: true,
  },
  // step3p5: thinking rendered verbatim everywhere, nothing depends on history (its cookbook tests use Qwen3's tokenizer).
  {
    name: "step3p5",
    tokenizer: qwen3Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
  },
  // granite4: a default system message is injected; history thinking stripped as qwen3 (no newline frame).
  {
    name: "granite4",
    tokenizer: granite4Tokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
    prependsSystem: true,
  },
  // granite4_disable_thinking: only the last reply gets the empty think block, so earlier replies of the last turn
  // are not prefixed by the prompt (as qwen3_disable_thinking).
  {
    name: "granite4_disable_thinking",
    tokenizer: granite4Tokenizer,
    thinking: "history",
    tools: true,
    lastKeepsThinking: false,
    turnPrefixWithTools: false,
    prependsSystem: true,
    lastOnlyEmptyThink: true,
  },
  // nemotron3 (thinking on): history thinking becomes `<think></think>` in the header, which the `<think>\n` prompt
  // does not prefix (as qwen3_5); the empty system message is injected (prependsSystem).
  ...(
    [
      "nemotron3",
      "nemotron3_low_thinking",
      "nemotron3_preserve_thinking",
      "nemotron3_ultra",
      "nemotron3_ultra_medium_thinking",
      "nemotron3_ultra_preserve_thinking",
    ] as const
  ).map(
    (name): RendererUnderTest => ({
      name,
      tokenizer: nemotronTokenizer,
      thinking: "anywhere",
      tools: true,
      lastKeepsThinking: true,
      turnPrefixWithTools: false,
      prependsSystem: true,
      emptyThinkMismatch: true,
    }),
  ),
  ...(["nemotron3_disable_thinking", "nemotron3_ultra_disable_thinking"] as const).map(
    (name): RendererUnderTest => ({
      name,
      tokenizer: nemotronTokenizer,
      thinking: "history",
      tools: true,
      lastKeepsThinking: false,
      turnPrefixWithTools: false,
      prependsSystem: true,
    }),
  ),
  {
    name: "gpt_oss_no_sysprompt",
    tokenizer: gptOssTokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
  },
  {
    name: "gpt_oss_medium_reasoning",
    prependsSystem: true,
    tokenizer: gptOssTokenizer,
    thinking: "anywhere",
    tools: true,
    lastKeepsThinking: true,
    turnPrefixWithTools: true,
  },
];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[0-9a-f]{1,10}$/) },
  { weight: 1, arbitrary: fc.constantFrom("café", "日本語", "🎉", "Ω≈", "x+y=z", "(1)", "don't") },
);
/** Hex-ish words, never empty, no leading/trailing whitespace, no markup. */
export const textArb = fc.array(word, { minLength: 1, maxLength: 8 }).map((ws) => ws.join(" "));

const toolCallArb = fc
  .record({
    name: fc.constantFrom("get_weather", "search"),
    city: textArb,
    n: fc.integer({ min: 0, max: 99 }),
  })
  .map(({ name, city, n }) => ({
    type: "function" as const,
    function: {
      name,
      arguments: pyJsonDumps(
        new Map<string, string | number>([
          ["city", city],
          ["n", n],
        ]) as never,
      ),
    },
  }));

function reply(r: RendererUnderTest, allowThinking: boolean): fc.Arbitrary<Message> {
  const plain = textArb.map((t): Message => ({ role: "assistant", content: t }));
  if (r.thinking === "none" || !allowThinking) return plain;
  const thought = fc.tuple(textArb, textArb).map(
    ([th, t]): Message => ({
      role: "assistant",
      content: [
        { type: "thinking", thinking: th },
        { type: "text", text: t },
      ] as ContentPart[],
    }),
  );
  return fc.oneof(plain, thought);
}

/** User text, or (vision renderers) text with images around it. */
function userArb(r: RendererUnderTest): fc.Arbitrary<Message> {
  const plain = textArb.map((u): Message => ({ role: "user", content: u }));
  if (!r.images) return plain;
  const withImages = fc
    .tuple(fc.array(imageArb, { minLength: 1, maxLength: 2 }), textArb)
    .map(([imgs, t]): Message => ({ role: "user", content: [...imgs, { type: "text", text: t }] }));
  return fc.oneof(plain, withImages);
}

/** A round: user + reply, or (tool renderers) user + tool-calling reply + tool result + reply. */
function round(r: RendererUnderTest, last: boolean, withTools: boolean): fc.Arbitrary<Message[]> {
  const allowThinking = r.thinking === "anywhere" || (r.thinking === "history" && !last);
  const simple = fc.tuple(userArb(r), reply(r, allowThinking)).map(([u, a]): Message[] => [u, a]);
  if (!r.tools || !withTools) return simple;
  const tool = fc
    .tuple(
      textArb,
      textArb,
      fc.array(toolCallArb, { minLength: 1, maxLength: 3 }),
      textArb,
      reply(r, allowThinking),
    )
    .map(([u, pre, tc, result, a]): Message[] => [
      { role: "user", content: u },
      { role: "assistant", content: pre, toolCalls: tc },
      ...tc.map(
        (c, i): Message => ({
          role: "tool",
          content: `${result} ${i}`,
          name: c.function.name,
          toolCallId: `functions.${c.function.name}:${i}`,
        }),
      ),
      a,
    ]);
  return fc.oneof(simple, tool);
}

/** Optional system message, 1–4 rounds, ending with an assistant reply. */
export function conversationArb(r: RendererUnderTest, withTools = true): fc.Arbitrary<Message[]> {
  return fc
    .tuple(fc.option(textArb, { nil: undefined }), fc.integer({ min: 0, max: 3 }))
    .chain(([system, earlier]) =>
      fc
        .tuple(
          fc.array(round(r, false, withTools), { minLength: earlier, maxLength: earlier }),
          round(r, true, withTools),
        )
        .map(([rounds, lastRound]) => [
          ...(system === undefined ? [] : [{ role: "system", content: system } as Message]),
          ...rounds.flat(),
          ...lastRound,
        ]),
    );
}
