import fc from "fast-check";
import { Tiktoken } from "js-tiktoken/lite";
import o200k from "js-tiktoken/ranks/o200k_base";
import { describe, expect, it } from "vitest";
import { KIMI_PAT_STR, TiktokenTokenizer } from "./tiktoken.js";

// TiktokenTokenizer pre-tokenizes itself and memoises each piece's ids; js-tiktoken encoding the whole text in one
// call is the reference. The first 30k ranks of o200k_base (shipped with js-tiktoken; its first 256 ranks are the
// bytes) give whitespace runs, punctuation and multi-byte pieces merges of their own, so a piece split differently
// would change the ids; fewer ranks keep the synchronous setup short.
const RANKS = 30_000;
const tokens: string[] = [];
for (const line of o200k.bpe_ranks.split("\n")) {
  const [, offset, ...rest] = line.split(" ");
  rest.forEach((t, i) => {
    if (Number(offset) + i < RANKS) tokens[Number(offset) + i] = t;
  });
}

const tok = new TiktokenTokenizer("test/o200k-kimi-pat", "memory", {
  tiktokenModel: tokens.map((t, rank) => `${t} ${rank}`).join("\n"),
  tokenizerConfig: {},
});
// A special string the texts below never contain keeps js-tiktoken's special-token scan trivial.
const reference = new Tiktoken({
  pat_str: KIMI_PAT_STR,
  special_tokens: { "\u0000never\u0000": 999_999 },
  bpe_ranks: `! 0 ${tokens.join(" ")}`,
});

const UNITS = [
  " ",
  "  ",
  "   ",
  "\n",
  "\n\n",
  "\r\n",
  "\t",
  "\u00a0",
  "\u3000",
  "\u0085",
  "a",
  "B",
  "é",
  "Ü",
  "ſ",
  "年",
  "的天气",
  "1",
  "2345",
  "'s",
  "'S",
  "'ll",
  "!",
  "?.",
  "...",
  "😀",
  "👍🏽",
  "Hello",
  " World",
  "McDonald",
  "XMLHttp",
  "Привет",
  "テスト",
];

describe("TiktokenTokenizer piece cache", () => {
  it("encodes exactly as js-tiktoken over the whole text, cold and warm", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...UNITS), fc.string({ unit: "grapheme", maxLength: 6 })), {
          maxLength: 40,
        }),
        (parts) => {
          const text = parts.join("");
          const expected = reference.encode(text, [], []);
          expect(tok.encode(text, { allowSpecial: false })).toEqual(expected);
          expect(tok.encode(text, { allowSpecial: false })).toEqual(expected);
        },
      ),
      { numRuns: 300, seed: 20261204 },
    );
  });

  it("a repeated text gives equal arrays the caller may change", () => {
    const a = tok.encode("Hello Hello Hello");
    a.push(-1);
    expect(tok.encode("Hello Hello Hello")).toEqual(reference.encode("Hello Hello Hello", [], []));
  });
});
