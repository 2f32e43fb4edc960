import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub } from "@crucible/hub";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { getTokenizer, getTokenizerSync } from "./resolve.js";
import { KIMI_PAT_STR, parseTiktokenRanks, TiktokenFileError, TiktokenTokenizer } from "./tiktoken.js";

/**
 * A tiktoken.model built here: ranks 0–255 are the single bytes (so any text encodes), then a few merges that
 * exercise BPE. Specials start at 265 as in a Kimi config (`added_tokens_decoder`, ids right after the ranks).
 */
const MERGES = ["ll", "He", "llo", "Hello", " W", "or", " Wor", "ld", " World"];
function tiktokenModel(): string {
  const lines: string[] = [];
  for (let b = 0; b < 256; b++) lines.push(`${Buffer.from([b]).toString("base64")} ${b}`);
  MERGES.forEach((m, i) => {
    lines.push(`${Buffer.from(m, "utf8").toString("base64")} ${256 + i}`);
  });
  return `${lines.join("\n")}\n`;
}
const SPECIALS = [
  "[BOS]",
  "[EOS]",
  "<|im_end|>",
  "<|im_user|>",
  "<|im_assistant|>",
  "<|im_middle|>",
  "<think>",
];
function tokenizerConfig(): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  SPECIALS.forEach((content, i) => {
    decoder[String(265 + i)] = { content, lstrip: false, normalized: false, rstrip: false, special: true };
  });
  return { added_tokens_decoder: decoder, bos_token: "[BOS]", eos_token: "[EOS]", chat_template: "{{ x }}" };
}
const files = () => ({
  tiktokenModel: tiktokenModel(),
  tokenizerConfig: tokenizerConfig(),
  generationConfig: { eos_token_id: 267 },
});
const tok = new TiktokenTokenizer("test/kimi-tiktoken", "memory", files());
const bytes = (s: string) => [...Buffer.from(s, "utf8")];

describe("TiktokenTokenizer (Kimi's TikTokenTokenizer)", () => {
  it("merges by rank through js-tiktoken", () => {
    expect(tok.encode("Hello World")).toEqual([259, 264]); // both pre-tokens are ranks themselves
    // "Hellos" is not a rank: ll(256) → He(257) → llo(258) → Hello(259), then "s".
    expect(tok.encode("Hellos")).toEqual([259, 115]);
    expect(tok.encode(" Worlds")).toEqual([264, 115]);
    expect(tok.encode("")).toEqual([]);
  });

  it("special tokens are single ids; allowSpecial=false encodes them as text (disallowed_special=())", () => {
    expect(tok.encode("<|im_user|>Hello<|im_end|>")).toEqual([268, 259, 267]);
    expect(tok.encode("<think>x")).toEqual([271, 120]);
    expect(tok.encode("<|im_end|>", { allowSpecial: false })).toEqual(bytes("<|im_end|>"));
    expect(tok.decode([268, 259, 267])).toBe("<|im_user|>Hello<|im_end|>");
  });

  it("names unnamed reserved ids <|reserved_token_{id}|>; metadata from tokenizer_config/generation_config", () => {
    expect(tok.vocabSize).toBe(265 + 256);
    expect(tok.idToToken(300)).toBe("<|reserved_token_300|>");
    expect(tok.encode("<|reserved_token_300|>")).toEqual([300]);
    expect(tok.bosTokenId).toBe(265);
    expect(tok.eosTokenId).toBe(266);
    expect(tok.eosTokenIds).toEqual([266, 267]);
    expect([...tok.specialTokenIds]).toEqual([265, 266, 267, 268, 269, 270, 271]);
    expect(tok.chatTemplate).toBe("{{ x }}");
    // Ordinary tokens use HF's byte-level spelling, as get_vocab() of tokenization_kimi.py.
    expect(tok.idToToken(264)).toBe("ĠWorld");
    expect(tok.tokenToId("ĠWorld")).toBe(264);
    expect(tok.tokenToId("<think>")).toBe(271);
    expect(tok.idToToken(10_000)).toBeUndefined();
  });

  it("round-trips any text, including specials, unicode and emoji", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom(...SPECIALS, "Hello", " World", "年")),
        ),
        (parts) => {
          const text = parts.join("");
          expect(tok.decode(tok.encode(text))).toBe(text);
          expect(tok.decode(tok.encode(text, { allowSpecial: false }))).toBe(text);
          // Without specials every id is a rank; with them, each special string is exactly one id.
          for (const id of tok.encode(text, { allowSpecial: false })) expect(id).toBeLessThan(265);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("decodes invalid UTF-8 with U+FFFD, as tiktoken does", () => {
    expect(tok.decode([0xe5])).toBe("\ufffd");
  });

  /**
   * KIMI_PAT_STR against the `pat_str` of tokenization_kimi.py. Expected splits were produced once with Python's
   * `regex` module in V1 mode (which, like the Rust regex crate tiktoken uses, supports `&&` class intersection)
   * on the original pattern.
   */
  it("pre-tokenizes as Kimi's pat_str", () => {
    const cases: [string, string[]][] = [
      [
        "Hello, World! It's 2024年的天气很好。",
        ["Hello", ",", " World", "!", " It's", " ", "202", "4", "年的天气很好", "。"],
      ],
      ["I'M DONE'S we've THEY'LL", ["I'M", " DONE'S", " we've", " THEY'LL"]],
      [
        "  leading\n\n\ttabs\r\n  and   spaces   ",
        [" ", " leading", "\n\n", "\ttabs", "\r\n", " ", " and", "  ", " spaces", "   "],
      ],
      ["数字12345和English混合abcDEF", ["数字", "123", "45", "和", "English", "混合", "abc", "DEF"]],
      ["naïve café ÀÉÎ résumé", ["naïve", " café", " ÀÉÎ", " résumé"]],
      ["emoji 😀👍🏽 test", ["emoji", " 😀👍🏽", " test"]],
      ["<|im_end|> special?", ["<|", "im", "_end", "|>", " special", "?"]],
      ["Ünïcödé UPPERlower lowerUPPER", ["Ünïcödé", " UPPERlower", " lower", "UPPER"]],
      ["a'sB'TC'Re", ["a's", "B'T", "C'Re"]],
      ["1234567 89 0.5", ["123", "456", "7", " ", "89", " ", "0", ".", "5"]],
      ["?!?! ...\n", ["?!?!", " ...\n"]],
      ["McDonald's iPhone XMLHttpRequest", ["Mc", "Donald's", " i", "Phone", " XMLHttp", "Request"]],
      ["Привет мир ПРИВЕТ", ["Привет", " мир", " ПРИВЕТ"]],
      ["한국어 テスト カタカナ ひらがな", ["한국어", " テスト", " カタカナ", " ひらがな"]],
      ["ſ 's 'S", ["ſ", " '", "s", " '", "S"]],
      ["x\u00a0y\u3000z\u0085w", ["x", "\u00a0y", "\u3000z", "\u0085w"]],
    ];
    const re = new RegExp(KIMI_PAT_STR, "gu");
    for (const [text, pieces] of cases) expect([...text.matchAll(re)].map((m) => m[0])).toEqual(pieces);
  });

  it("rejects malformed files with the line and the fix", () => {
    expect(() => parseTiktokenRanks("QQ== 0\nnot-a-line\n")).toThrow(
      /line 2: expected "<base64 token> <rank>"/,
    );
    expect(() => parseTiktokenRanks("QQ== 0\nQg== 2\n")).toThrow(/rank 1 missing/);
    const bad = { ...files(), tokenizerConfig: { added_tokens_decoder: { "3": { content: "<x>" } } } };
    expect(() => new TiktokenTokenizer("bad", "memory", bad)).toThrow(TiktokenFileError);
    expect(() => new TiktokenTokenizer("bad", "memory", bad)).toThrow(/inside the 265 mergeable ranks/);
  });
});

describe("tiktoken.model through the tokenizer lookup", () => {
  const root = mkdtempSync(join(tmpdir(), "crucible-tiktoken-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const writeKimiDir = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "tiktoken.model"), tiktokenModel());
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig()));
    return dir;
  };

  it("a local directory with tiktoken.model and no tokenizer.json", () => {
    const t = getTokenizerSync(writeKimiDir(join(root, "local")));
    expect(t).toBeInstanceOf(TiktokenTokenizer);
    expect(t.encode("<|im_user|>Hello")).toEqual([268, 259]);
  });

  it("a Hugging Face cache snapshot", () => {
    const cacheDir = join(root, "cache");
    writeKimiDir(join(cacheDir, "models--moonshotai--Kimi-K2-Thinking", "snapshots", "abc"));
    const t = getTokenizerSync("moonshotai/Kimi-K2-Thinking", { cacheDir });
    expect(t).toBeInstanceOf(TiktokenTokenizer);
    expect(t.eosTokenId).toBe(266);
  });

  it("the hub (loopback): tiktoken.model is fetched when the repo has no tokenizer.json", async () => {
    const hub = await LocalHub.start();
    hub.commit("model", "moonshotai/Kimi-K2.5", {
      "tiktoken.model": tiktokenModel(),
      "tokenizer_config.json": JSON.stringify(tokenizerConfig()),
    });
    const cacheDir = join(root, "hub-cache");
    const offline = process.env.HF_HUB_OFFLINE;
    process.env.HF_HUB_OFFLINE = "";
    try {
      const t = await getTokenizer("moonshotai/Kimi-K2.5", { cacheDir, hubEndpoint: hub.url });
      expect(t).toBeInstanceOf(TiktokenTokenizer);
      expect(t.encode("Hello<|im_end|>")).toEqual([259, 267]);
      expect(getTokenizerSync("moonshotai/Kimi-K2.5", { cacheDir })).toBe(t);
    } finally {
      process.env.HF_HUB_OFFLINE = offline;
      await hub.close();
    }
  });
});
