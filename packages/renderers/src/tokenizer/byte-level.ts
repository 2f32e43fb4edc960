import type { TokenizerFiles } from "./tokenizer.js";

/**
 * A byte-level tokenizer bundled with Crucible (no download, no npm package): GPT-2's byte-to-unicode
 * alphabet as a BPE vocabulary with no merges, so every UTF-8 byte is one token (ByT5-style), plus one
 * special end-of-text token. Its 257 ids make the unembedding of a tiny model almost free, which is what
 * lets `crucible/tiny-bytes` train for hundreds of steps in a minute on a laptop CPU.
 */
export const BYTE_LEVEL_TOKENIZER = "crucible/byte-level";
export const BYTE_LEVEL_EOS = "<|endoftext|>";

/** GPT-2's reversible map from bytes to printable unicode characters (what the ByteLevel pre-tokenizer emits). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return out;
}

/** tokenizer.json + tokenizer_config.json of the byte-level tokenizer; id = byte value, 256 = end of text. */
export function byteLevelTokenizerFiles(): TokenizerFiles {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((ch, b) => {
    vocab[ch] = b;
  });
  const eos = { id: 256, content: BYTE_LEVEL_EOS, single_word: false, lstrip: false, rstrip: false };
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [{ ...eos, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const tokenizerConfig = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: null,
    eos_token: BYTE_LEVEL_EOS,
    pad_token: BYTE_LEVEL_EOS,
    model_max_length: 4096,
    added_tokens_decoder: { "256": { ...eos, normalized: false, special: true } },
  };
  return { tokenizerJson, tokenizerConfig };
}
