import {
  getRenderer,
  getTextContent,
  hasThinking,
  type Message,
  pyJsonDumps,
  type ToolCall,
  type ToolSpec,
} from "@crucible/renderers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conversationArb, flat, RENDERERS, type RendererUnderTest, textArb } from "./arbitraries.js";
import { yieldingProperty } from "./yielding-property.js";

// The §D invariants over conversations that start with the cookbook's create_conversation_prefix_with_tools, one
// renderer per family with a tool declaration format (few runs: the shared invariants file is CI's slowest).
const RUNS = { numRuns: 5, seed: 20261204 };
const FAMILIES = [
  "qwen3",
  "qwen3_5",
  "qwen3_8_low_reasoning",
  "kimi_k2",
  "kimi_k25",
  "nemotron3",
  "nemotron3_ultra_disable_thinking",
  "glm5_3_max_reasoning",
  "step3p5",
  "granite4",
];

const toolSpecArb = fc
  .uniqueArray(fc.constantFrom("get_weather", "search", "lookup"), { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.tuple(...names.map((name) => textArb.map((description): ToolSpec => toolSpec(name, description)))),
  );
function toolSpec(name: string, description: string): ToolSpec {
  return {
    name,
    description,
    parameters: {
      type: "object",
      properties: { city: { type: "string", description: "a city" }, n: { type: "integer" } },
      required: ["city"],
    },
  };
}

const callArb = fc
  .record({ name: fc.constantFrom("get_weather", "search", "lookup"), city: textArb, n: fc.nat(99) })
  .map(
    ({ name, city, n }): ToolCall => ({
      type: "function",
      function: {
        name,
        arguments: pyJsonDumps(
          new Map<string, string | number>([
            ["city", city],
            ["n", n],
          ]) as never,
        ),
      },
    }),
  );

const isPrefix = (a: readonly number[], b: readonly number[]) =>
  a.length <= b.length && a.every((x, i) => x === b[i]);
const calls = (tc: readonly ToolCall[] | undefined) =>
  (tc ?? []).map((c) => [c.function.name, JSON.parse(c.function.arguments)]);
/**
 * GLM writes string values raw and reads every value back as JSON when it parses (the cookbook's
 * `_parse_glm_tool_call`), so a string argument such as "12" or "1e5" returns as a number.
 */
const glmReadBack = (tc: readonly ToolCall[]) =>
  calls(tc).map(([name, args]) => [
    name,
    Object.fromEntries(
      Object.entries(args as Record<string, unknown>).map(([k, v]) => {
        if (typeof v !== "string") return [k, v];
        try {
          return [k, JSON.parse(v)];
        } catch {
          return [k, v];
        }
      }),
    ),
  ]);

for (const name of FAMILIES) {
  const base = RENDERERS.find((s) => s.name === name) as RendererUnderTest;
  // Images are covered elsewhere; text-only keeps these runs short.
  const spec: RendererUnderTest = { ...base, images: false };
  describe(`tool-declaration prefix: ${name}`, () => {
    const r = getRenderer(name, spec.tokenizer(), spec.options ?? {});
    /** Tools prefix (with or without a system prompt) + a generated conversation without its own system message. */
    const withPrefix = fc
      .tuple(toolSpecArb, fc.option(textArb, { nil: undefined }), conversationArb(spec))
      .map(([tools, system, m]): [ToolSpec[], Message[]] => [
        tools,
        [...r.createConversationPrefixWithTools(tools, system), ...m.filter((x) => x.role !== "system")],
      ]);

    it("the generation prompt is the untrained prefix of the supervised example", async () => {
      await fc.assert(
        yieldingProperty(withPrefix, ([tools, m]) => {
          const { modelInput, weights } = r.buildSupervisedExample(m, "last_assistant_message");
          const tokens = flat(modelInput);
          const prompt = flat(r.buildGenerationPrompt(m.slice(0, -1)));
          const last = m[m.length - 1] as Message;
          const declared = r.tokenizer.decode(prompt);
          for (const t of tools) expect(declared).toContain(t.name);
          if (spec.emptyThinkMismatch && !hasThinking(last.content)) {
            // nemotron3's `<think>\n` prompt vs `<think></think>` reply (the cookbook's #860, kept for parity).
            const p = r.tokenizer.decode(prompt);
            expect(p.endsWith("<think>\n")).toBe(true);
            expect(r.tokenizer.decode(tokens).startsWith(`${p.slice(0, -1)}</think>`)).toBe(true);
          } else {
            expect(isPrefix(prompt, tokens)).toBe(true);
            expect(weights.indexOf(1)).toBe(prompt.length);
          }
        }),
        RUNS,
      );
    });

    it("a tool-calling reply after the prefix parses back to its calls", async () => {
      await fc.assert(
        yieldingProperty(
          withPrefix,
          textArb,
          textArb,
          fc.array(callArb, { minLength: 1, maxLength: 2 }),
          ([, m], u, t, tc) => {
            const reply: Message = { role: "assistant", content: t, toolCalls: tc };
            const convo = [...m, { role: "user", content: u } as Message, reply];
            const { modelInput, weights } = r.buildSupervisedExample(convo, "last_assistant_message");
            const tokens = flat(modelInput);
            const { message, termination } = r.parseResponse(tokens.slice(weights.indexOf(1)));
            expect(termination).toBe("stop_sequence");
            expect(calls(message.toolCalls)).toEqual(name.startsWith("glm5_3") ? glmReadBack(tc) : calls(tc));
            expect(getTextContent(message).trim()).toBe(t);
          },
        ),
        RUNS,
      );
    });
  });
}
