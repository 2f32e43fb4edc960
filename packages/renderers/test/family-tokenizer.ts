import { byteLevelTokenizerFiles, HfJsonTokenizer, type Tokenizer } from "@crucible/renderers";
import {
  GLM_SPECIALS,
  GRANITE4_SPECIALS,
  NEMOTRON_SPECIALS,
  STEP3P5_SPECIALS,
} from "../src/testing/family-specials.js";
import { KIMI_CHAT_SPECIALS } from "../src/testing/kimi-specials.js";

export { GLM_SPECIALS, GRANITE4_SPECIALS, NEMOTRON_SPECIALS, STEP3P5_SPECIALS };

/**
 * A tokenizer built in the test for families whose real tokenizer is not on this machine: every UTF-8 byte is one
 * token (id = byte), plus the family's special tokens from id 257 on, so expected sequences are derivable by hand:
 * `bytes(text)` for plain text, the special token's id for each special string.
 */
export function familyTokenizer(name: string, specials: readonly string[], eos?: string): Tokenizer {
  const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
  const added = [...(tokenizerJson.added_tokens as object[])];
  specials.forEach((content, i) => {
    added.push({
      id: 257 + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  });
  const vocab = { ...(tokenizerJson.model as { vocab: Record<string, number> }).vocab };
  added.forEach((t) => {
    const { id, content } = t as { id: number; content: string };
    vocab[content] = id;
  });
  return new HfJsonTokenizer(name, "test", {
    tokenizerJson: {
      ...tokenizerJson,
      added_tokens: added,
      model: { ...(tokenizerJson.model as object), vocab },
    },
    tokenizerConfig: { ...tokenizerConfig, eos_token: eos ?? "<|endoftext|>" },
  });
}

/** The ids `familyTokenizer` gives a string: special strings → their id, everything else → UTF-8 bytes. */
export function expectedIds(tok: Tokenizer, specials: readonly string[], text: string): number[] {
  const sorted = [...specials].sort((a, b) => b.length - a.length);
  const out: number[] = [];
  let i = 0;
  outer: while (i < text.length) {
    for (const s of sorted) {
      if (text.startsWith(s, i)) {
        out.push(tok.tokenToId(s) as number);
        i += s.length;
        continue outer;
      }
    }
    let j = i + 1;
    while (j < text.length && !sorted.some((s) => text.startsWith(s, j))) j++;
    out.push(...Buffer.from(text.slice(i, j), "utf8"));
    i = j;
  }
  return out;
}

export const KIMI_SPECIALS = KIMI_CHAT_SPECIALS;

let kimi: Tokenizer | null = null;
export const kimiTokenizer = (): Tokenizer => {
  kimi ??= familyTokenizer("test/kimi", KIMI_SPECIALS, "<|im_end|>");
  return kimi;
};

let nemotron: Tokenizer | null = null;
export const nemotronTokenizer = (): Tokenizer => {
  nemotron ??= familyTokenizer("test/nemotron3", NEMOTRON_SPECIALS, "<|im_end|>");
  return nemotron;
};

let step3p5: Tokenizer | null = null;
export const step3p5Tokenizer = (): Tokenizer => {
  step3p5 ??= familyTokenizer("test/step3p5", STEP3P5_SPECIALS, "<|im_end|>");
  return step3p5;
};

let glm: Tokenizer | null = null;
export const glmTokenizer = (): Tokenizer => {
  glm ??= familyTokenizer("test/glm5_3", GLM_SPECIALS);
  return glm;
};

let granite4: Tokenizer | null = null;
export const granite4Tokenizer = (): Tokenizer => {
  granite4 ??= familyTokenizer("test/granite4", GRANITE4_SPECIALS, "<|end_of_text|>");
  return granite4;
};
