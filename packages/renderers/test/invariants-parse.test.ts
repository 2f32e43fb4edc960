import { getRenderer, type Message, RendererError } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conversationArb, flat, RENDERERS } from "./arbitraries.js";
import { llama3Tokenizer, qwen3Tokenizer } from "./tokenizers.js";
import { yieldingProperty } from "./yielding-property.js";

// §D invariants 9 and 11 (10 is in src/content.test.ts).
const RUNS = { numRuns: 25, seed: 7 };
const toInts = ModelInput.toInts;

describe("§D 9: parsing without / with repeated stop tokens", () => {
  for (const spec of RENDERERS.filter((s) => s.name !== "role_colon")) {
    it(spec.name, async () => {
      const r = getRenderer(spec.name, spec.tokenizer(), spec.options ?? {});
      const stops = r.getStopSequences() as number[];
      await fc.assert(
        yieldingProperty(conversationArb(spec), (m) => {
          const { modelInput, weights } = r.buildSupervisedExample(m);
          const suffix = flat(modelInput).slice(weights.indexOf(1));
          expect(stops).toContain(suffix[suffix.length - 1]);
          const body = suffix.slice(0, -1);
          const parsed = r.parseResponse(body);
          expect(parsed.termination).toBe("malformed");
          // Renderers that prefill `<think>` restore it before parsing (as in Python), so it is part of the text.
          const text = r.tokenizer.decode(body);
          expect([text, `<think>${text}`, `<think>\n${text}`]).toContain(parsed.message.content);
          expect(() => r.parseResponse([...suffix, ...suffix])).toThrow(RendererError);
        }),
        RUNS,
      );
    });
  }

  for (const [label, tok] of [
    ["llama3 vocabulary", llama3Tokenizer],
    ["qwen3 vocabulary", qwen3Tokenizer],
  ] as const) {
    it(`role_colon round trip on the ${label}`, async () => {
      const t = tok();
      const r = getRenderer("role_colon", t);
      const eos = t.eosTokenId as number;
      const text = fc
        .string({ unit: "grapheme", maxLength: 30 })
        .filter((c) => c === c.normalize("NFC") && !c.includes("\n\nUser:") && !c.endsWith("\n\n"));
      await fc.assert(
        yieldingProperty(text, (c) => {
          expect(r.parseResponse(t.encode(` ${c}\n\nUser:`))).toEqual({
            message: { role: "assistant", content: c },
            termination: "stop_sequence",
          });
          expect(r.parseResponse([...t.encode(` ${c}`), eos])).toEqual({
            message: { role: "assistant", content: c },
            termination: "eos",
          });
        }),
        { numRuns: 150, seed: 3 },
      );
      // Content ending in "\n\n" does not round-trip: the parser strips one extra "\n\n" (kept from Python).
      expect(r.parseResponse(t.encode(" a\n\n\n\nUser:")).message.content).toBe("a");
    });
  }
});

describe("§D 11: disable-thinking renderers refuse reasoning targets and leave the empty block untrained", () => {
  for (const name of ["qwen3_disable_thinking", "qwen3_5_disable_thinking"]) {
    it(name, async () => {
      const tok = qwen3Tokenizer();
      const r = getRenderer(name, tok);
      const spec = RENDERERS.find((s) => s.name === name);
      if (!spec) throw new Error(name);
      await fc.assert(
        yieldingProperty(conversationArb(spec), (m) => {
          const last = m[m.length - 1] as Message;
          const withThinking: Message = {
            ...last,
            content: [
              { type: "thinking", thinking: "hmm" },
              { type: "text", text: "x" },
            ],
          };
          expect(() => r.buildSupervisedExample([...m.slice(0, -1), withThinking])).toThrow(RendererError);
          const { modelInput, weights } = r.buildSupervisedExample(m);
          const tokens = toInts(modelInput);
          const trained = tokens.filter((_, i) => weights[i] === 1);
          expect(tok.decode(trained)).not.toContain("<think>");
          expect(tok.decode(trained)).not.toContain("</think>");
          expect(tok.decode(tokens.slice(0, weights.indexOf(1)))).toMatch(/<think>\n\n<\/think>\n\n$/);
        }),
        RUNS,
      );
    });
  }
});
