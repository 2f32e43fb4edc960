import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getTokenizerSync } from "../index.js";
import { BYTE_LEVEL_EOS, BYTE_LEVEL_TOKENIZER, bytesToUnicode } from "./byte-level.js";

describe("byte-level tokenizer", () => {
  const tok = getTokenizerSync(BYTE_LEVEL_TOKENIZER);

  it("maps every byte to a distinct printable character (GPT-2's table)", () => {
    const table = bytesToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[32]).toBe("Ġ"); // space, as in GPT-2's vocab
    expect(table[10]).toBe("Ċ"); // newline
    expect(table[65]).toBe("A");
  });

  it("encodes each UTF-8 byte as its own id", () => {
    expect(tok.encode("What is 3 + 4?")).toEqual([...Buffer.from("What is 3 + 4?")]);
    expect(tok.encode("é\n\n")).toEqual([0xc3, 0xa9, 10, 10]);
    expect(tok.vocabSize).toBe(257);
    expect(tok.eosToken).toBe(BYTE_LEVEL_EOS);
    expect(tok.eosTokenId).toBe(256);
    expect(tok.bosTokenId).toBeNull();
    expect(tok.encode(`hi${BYTE_LEVEL_EOS}`)).toEqual([104, 105, 256]);
  });

  it("round-trips any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => {
        const ids = tok.encode(s);
        expect(ids).toEqual([...Buffer.from(s)]);
        expect(tok.decode(ids)).toBe(s);
      }),
    );
  });

  it("is what the built-in crucible/tiny-bytes model resolves to", () => {
    expect(getTokenizerSync("crucible/tiny-bytes")).toBe(tok);
  });
});
