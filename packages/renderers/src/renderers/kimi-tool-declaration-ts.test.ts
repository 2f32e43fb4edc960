import { readFileSync } from "node:fs";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, KIMI_SPECIALS, kimiTokenizer } from "../../test/family-tokenizer.js";
import { RendererError } from "../errors.js";
import { getRenderer } from "../registry.js";
import type { Message, ToolSpec } from "../types.js";
import { KimiK2Renderer } from "./kimi-k2.js";
import { encodeToolsToTypescriptStyle } from "./kimi-tool-declaration-ts.js";

// Tools covering every schema branch of kimi_k2_5_tool_declaration_ts.py (required/optional order, descriptions,
// constraints, defaults, enums, anyOf, type lists, nested objects, arrays with documented items, additionalProperties,
// $defs/$ref and `#` self references); `expected` is what the cookbook's Python function prints for them
// (tools/reference/kimi_k25_tool_declarations.py).
const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/kimi-k25-tool-declarations.json", import.meta.url), "utf8"),
) as { tools: ToolSpec[]; expected: Record<string, string> };
const payload = (tools: readonly ToolSpec[]) =>
  tools.map((t) => ({ type: "function", function: t as unknown as Record<string, unknown> }));

describe("encodeToolsToTypescriptStyle (encode_tools_to_typescript_style)", () => {
  it("matches the cookbook's output for every tool, one at a time and together", () => {
    for (const tool of fixture.tools) {
      expect(encodeToolsToTypescriptStyle(payload([tool]))).toBe(fixture.expected[tool.name]);
    }
    expect(encodeToolsToTypescriptStyle(payload(fixture.tools))).toBe(fixture.expected.all);
  });

  it("skips non-function tools and prints nothing without functions", () => {
    expect(encodeToolsToTypescriptStyle([])).toBe("");
    expect(encodeToolsToTypescriptStyle([{ type: "_plugin", function: { name: "x" } }])).toBe("");
  });

  it("refuses what the Python function refuses, naming the problem", () => {
    const bad = (parameters: Record<string, unknown>) => () =>
      encodeToolsToTypescriptStyle(payload([{ name: "f", description: "", parameters }]));
    expect(bad({ properties: { a: { $ref: "#/$defs/Missing" } } })).toThrow(
      /reference not found: #\/\$defs\/Missing/,
    );
    expect(bad({ properties: { a: { $ref: "http://x" } } })).toThrow(/unsupported reference format/);
    expect(bad({ properties: { a: { type: "string", enum: [1] } } })).toThrow(/enum value 1 is not a string/);
    expect(bad({ properties: { a: { type: ["string", "int"] } } })).toThrow(/unsupported type int/);
    expect(bad({ properties: { a: { foo: 1 } } })).toThrow(RendererError);
    expect(bad({ additionalProperties: 3, properties: { a: { type: "string" } } })).toThrow(
      /unknown additionalProperties: 3/,
    );
  });
});

describe("kimi_k25 / kimi_k26 create_conversation_prefix_with_tools (KimiK25Renderer)", () => {
  const tok = kimiTokenizer();
  const ids = (s: string) => expectedIds(tok, KIMI_SPECIALS, s);
  const user: Message = { role: "user", content: "q" };

  it("tool_declare holds the TypeScript declarations, then the system message; tokens as the cookbook's path", () => {
    for (const [name, prefill] of [
      ["kimi_k25", "<think>"],
      ["kimi_k25_disable_thinking", "<think></think>"],
      ["kimi_k26", "<think>"],
      ["kimi_k26_preserve_thinking", "<think>"],
    ] as const) {
      const r = getRenderer(name, tok);
      const prefix = r.createConversationPrefixWithTools(fixture.tools, "Be brief.");
      expect(prefix).toEqual([
        { role: "tool_declare", content: fixture.expected.all },
        { role: "system", content: "Be brief." },
      ]);
      // KimiK2Renderer.render_message: tool_declare is headed `<|im_system|>tool_declare<|im_middle|>`.
      const expected = ids(
        `<|im_system|>tool_declare<|im_middle|>${fixture.expected.all}<|im_end|>` +
          "<|im_system|>system<|im_middle|>Be brief.<|im_end|>" +
          `<|im_user|>user<|im_middle|>q<|im_end|><|im_assistant|>assistant<|im_middle|>${prefill}`,
      );
      expect(ModelInput.toInts(r.buildGenerationPrompt([...prefix, user]))).toEqual(expected);
    }
  });

  it("no tools: only the default system message; kimi_k2 keeps K2's JSON declarations", () => {
    const r = getRenderer("kimi_k25", tok);
    expect(r.createConversationPrefixWithTools([])).toEqual([
      { role: "system", content: KimiK2Renderer.DEFAULT_SYSTEM_PROMPT },
    ]);
    const k2 = getRenderer("kimi_k2", tok).createConversationPrefixWithTools(fixture.tools.slice(1, 2));
    expect(k2[0]?.content).toBe(
      '[{"function":{"description":"","name":"no_params","parameters":{}},"type":"function"}]',
    );
  });
});
