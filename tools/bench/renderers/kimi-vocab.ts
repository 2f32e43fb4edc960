/**
 * A Kimi-shaped tiktoken tokenizer for the renderer bench: no real Kimi `tiktoken.model` is on this machine, so the
 * o200k_base ranks shipped with js-tiktoken stand in (a real 200k BPE vocabulary), written out as a tiktoken.model,
 * with Kimi's special tokens after the ranks (tokenizer_config.json's `added_tokens_decoder`) and Kimi's pat_str.
 */
import { createRequire } from "node:module";
import { KIMI_PAT_STR, TiktokenTokenizer, type Tokenizer } from "@crucible/renderers";
import { KIMI_BOS_EOS, KIMI_CHAT_SPECIALS } from "../../../packages/renderers/src/testing/kimi-specials.js";

const requireHere = createRequire(new URL("../../../packages/renderers/package.json", import.meta.url));
type Ranks = { bpe_ranks: string };
type RawTiktoken = { encode(text: string, allowed: "all"): number[] };
const { Tiktoken } = requireHere("js-tiktoken/lite") as {
  Tiktoken: new (r: {
    pat_str: string;
    special_tokens: Record<string, number>;
    bpe_ranks: string;
  }) => RawTiktoken;
};

const KIMI_SPECIALS = [...KIMI_BOS_EOS, ...KIMI_CHAT_SPECIALS];

/** The tiktoken.model text of js-tiktoken's o200k_base (`base64 rank` lines). */
function o200kTiktokenModel(): { text: string; count: number } {
  const { bpe_ranks } = requireHere("js-tiktoken/ranks/o200k_base") as Ranks;
  const lines: string[] = [];
  for (const line of bpe_ranks.split("\n")) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(" ");
    tokens.forEach((t, i) => {
      lines.push(`${t} ${Number(offset) + i}`);
    });
  }
  return { text: lines.join("\n"), count: lines.length };
}

export function kimiBenchTokenizers(): { tok: Tokenizer; raw: { encode(text: string): number[] } } {
  const { text, count } = o200kTiktokenModel();
  const decoder: Record<string, { content: string; special: boolean }> = {};
  const specials: Record<string, number> = {};
  KIMI_SPECIALS.forEach((content, i) => {
    decoder[String(count + i)] = { content, special: true };
    specials[content] = count + i;
  });
  const tok = new TiktokenTokenizer("bench/kimi-o200k", "bench", {
    tiktokenModel: text,
    tokenizerConfig: { added_tokens_decoder: decoder, bos_token: "[BOS]", eos_token: "[EOS]" },
  });
  // The reference: js-tiktoken itself, one call over the whole text, specials allowed (Kimi's encode).
  const { bpe_ranks } = requireHere("js-tiktoken/ranks/o200k_base") as Ranks;
  const bpe = new Tiktoken({ pat_str: KIMI_PAT_STR, special_tokens: specials, bpe_ranks });
  return { tok, raw: { encode: (t: string) => bpe.encode(t, "all") } };
}
