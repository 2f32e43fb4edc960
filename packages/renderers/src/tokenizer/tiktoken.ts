import { Tiktoken } from "js-tiktoken/lite";
import { bytesToUnicode } from "./byte-level.js";
import { type EncodeOptions, type Tokenizer, tokenString } from "./tokenizer.js";

/** A tiktoken-format file or its tokenizer_config.json is malformed. */
export class TiktokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TiktokenFileError";
  }
}

/**
 * Kimi's pre-tokenizer (`TikTokenTokenizer.pat_str` in Moonshot's tokenization_kimi.py), written for JavaScript's
 * `u` regexes, which js-tiktoken compiles with: the Rust-regex class intersection `[…&&[^\p{Han}]]` becomes a
 * `(?!\p{sc=Han})` look-ahead before the class, `(?i:'s|…)` spells out both cases (plus `ſ`, which Rust's
 * Unicode case folding matches for `s`), and `\s`/`\S` become `\p{White_Space}` (Rust's `\s`; JS's `\s` also
 * matches U+FEFF and misses U+0085).
 */
export const KIMI_PAT_STR = (() => {
  const upper = String.raw`(?:(?!\p{sc=Han})[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}])`;
  const lower = String.raw`(?:(?!\p{sc=Han})[\p{Ll}\p{Lm}\p{Lo}\p{M}])`;
  const contraction = String.raw`(?:'[sSſ]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`;
  const notLetterDigitNewline = String.raw`[^\r\n\p{L}\p{N}]?`;
  return [
    String.raw`\p{sc=Han}+`,
    `${notLetterDigitNewline}${upper}*${lower}+${contraction}`,
    `${notLetterDigitNewline}${upper}+${lower}*${contraction}`,
    String.raw`\p{N}{1,3}`,
    String.raw` ?[^\p{White_Space}\p{L}\p{N}]+[\r\n]*`,
    String.raw`\p{White_Space}*[\r\n]+`,
    String.raw`\p{White_Space}+(?!\P{White_Space})`,
    String.raw`\p{White_Space}+`,
  ].join("|");
})();

/** Kimi's default number of reserved special ids after the mergeable ranks (`num_reserved_special_tokens`). */
export const KIMI_RESERVED_SPECIAL_TOKENS = 256;

/** tiktoken's `load_tiktoken_bpe`: one `base64(token bytes) rank` pair per non-empty line. */
export function parseTiktokenRanks(text: string, source = "tiktoken.model"): Uint8Array[] {
  const bytesByRank: Uint8Array[] = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    const trimmed = line.trim();
    if (trimmed.length === 0) continue;
    const fields = trimmed.split(/\s+/);
    const rank = Number(fields[1]);
    if (
      fields.length !== 2 ||
      !Number.isInteger(rank) ||
      rank < 0 ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(fields[0] as string)
    ) {
      throw new TiktokenFileError(
        `${source} line ${lineNo}: expected "<base64 token> <rank>", got ${JSON.stringify(trimmed.slice(0, 80))}`,
      );
    }
    if (bytesByRank[rank] !== undefined)
      throw new TiktokenFileError(`${source} line ${lineNo}: rank ${rank} repeated`);
    bytesByRank[rank] = Uint8Array.from(Buffer.from(fields[0] as string, "base64"));
  }
  for (let r = 0; r < bytesByRank.length; r++) {
    if (bytesByRank[r] === undefined)
      throw new TiktokenFileError(`${source}: ranks are not contiguous (rank ${r} missing)`);
  }
  return bytesByRank;
}

export interface TiktokenTokenizerFiles {
  /** Contents of the tiktoken.model file. */
  tiktokenModel: string;
  /** Parsed tokenizer_config.json: `added_tokens_decoder` names the special ids; bos/eos tokens; chat_template. */
  tokenizerConfig: Record<string, unknown>;
  /** Parsed generation_config.json, if present (extra eos ids). */
  generationConfig?: Record<string, unknown> | undefined;
}

export interface TiktokenTokenizerOptions {
  /** Pre-tokenizer regex (default Kimi's). */
  patStr?: string;
  /** Special ids reserved after the ranks (default 256, as Kimi). */
  reservedSpecialTokens?: number;
}

// Never matched (encodeOrdinary allows no special token): it stops js-tiktoken from rebuilding a regex over all
// special tokens on every call; specials are split out here instead.
const SENTINEL = "\u0000<|crucible-no-special|>\u0000";
const MAX_ENCODE_CHARS = 400_000;
// Pre-token → ids cache, as HF tokenizers' BPE word cache (10k entries, pieces under 256 characters).
const PIECE_CACHE_LIMIT = 10_000;
const PIECE_CACHE_MAX_CHARS = 256;
const MAX_SAME_KIND_RUN = 25_000;
const BYTE_ALPHABET = bytesToUnicode();
// Python's str.isspace(): White_Space plus the information separators U+001C–U+001F.
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+001C–U+001F are whitespace to Python, on purpose.
const PY_ISSPACE = /[\p{White_Space}\x1c-\x1f]/u;

/** tokenization_kimi.py's chunking before tiktoken: 400k-character slices, then runs of ≤25k (non-)spaces. */
function* kimiSlices(text: string): Generator<string> {
  // Fewer UTF-16 units than the run limit: no slice can exceed it (the common case, kept cheap).
  if (text.length <= MAX_SAME_KIND_RUN) {
    if (text.length > 0) yield text;
    return;
  }
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += MAX_ENCODE_CHARS) {
    const s = chars.slice(i, i + MAX_ENCODE_CHARS);
    let runLen = 0;
    let runIsSpace = s.length > 0 && PY_ISSPACE.test(s[0] as string);
    let start = 0;
    for (let j = 0; j < s.length; j++) {
      const isSpace = PY_ISSPACE.test(s[j] as string);
      if (runIsSpace !== isSpace) {
        runLen = 1;
        runIsSpace = isSpace;
      } else if (++runLen > MAX_SAME_KIND_RUN) {
        yield s.slice(start, j).join("");
        start = j;
        runLen = 1;
      }
    }
    yield s.slice(start).join("");
  }
}

/**
 * A tiktoken-format tokenizer (Kimi's `TikTokenTokenizer`): `tiktoken.model` ranks, special ids right after them
 * named by tokenizer_config.json's `added_tokens_decoder` (unnamed ones are `<|reserved_token_{id}|>`). BPE and
 * the pre-tokenizer run in js-tiktoken; special tokens are matched here (leftmost, longest), so `allowSpecial: false`
 * is Kimi's `allow_special_tokens=False` (`disallowed_special=()`: every special string is plain text).
 */
export class TiktokenTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosToken: string | null;
  readonly eosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly specialTokenIds: ReadonlySet<number>;
  readonly chatTemplate: string | null;
  private readonly bpe: Tiktoken;
  private readonly bytesByRank: Uint8Array[];
  private readonly specials = new Map<string, number>();
  private readonly specialNames = new Map<number, string>();
  private readonly specialRe: RegExp | null;
  private readonly pieceRe: RegExp;
  private readonly pieceCache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();
  private readonly utf8Decoder = new TextDecoder("utf-8");
  private byteLevelIds: Map<string, number> | null = null;

  constructor(
    readonly name: string,
    readonly source: string,
    files: TiktokenTokenizerFiles,
    options: TiktokenTokenizerOptions = {},
  ) {
    this.bytesByRank = parseTiktokenRanks(files.tiktokenModel, `${source}/tiktoken.model`);
    const base = this.bytesByRank.length;
    const cfg = files.tokenizerConfig;
    const named = new Map<number, { content: string; special: boolean }>();
    const decoder = cfg.added_tokens_decoder;
    if (decoder !== undefined && (typeof decoder !== "object" || decoder === null)) {
      throw new TiktokenFileError(`${source}: tokenizer_config.json added_tokens_decoder must be an object`);
    }
    for (const [key, value] of Object.entries((decoder ?? {}) as Record<string, unknown>)) {
      const id = Number(key);
      const content = tokenString(value);
      if (!Number.isInteger(id) || content === null) {
        throw new TiktokenFileError(
          `${source}: tokenizer_config.json added_tokens_decoder[${JSON.stringify(key)}] needs an integer id and a content string`,
        );
      }
      if (id < base) {
        throw new TiktokenFileError(
          `${source}: added token ${JSON.stringify(content)} has id ${id}, inside the ${base} mergeable ranks of tiktoken.model`,
        );
      }
      named.set(id, { content, special: (value as { special?: unknown }).special !== false });
    }
    const reserved = options.reservedSpecialTokens ?? KIMI_RESERVED_SPECIAL_TOKENS;
    const last = Math.max(base + reserved - 1, ...named.keys());
    const special = new Set<number>();
    for (let id = base; id <= last; id++) {
      const entry = named.get(id);
      const content = entry?.content ?? `<|reserved_token_${id}|>`;
      this.specials.set(content, id);
      this.specialNames.set(id, content);
      if (entry?.special) special.add(id);
    }
    this.specialTokenIds = special;
    this.vocabSize = last + 1;
    const sorted = [...this.specials.keys()].sort((a, b) => b.length - a.length);
    this.specialRe =
      sorted.length === 0
        ? null
        : new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gu");
    const ranksText = this.bytesByRank
      .map((b, r) => `! ${r} ${Buffer.from(b).toString("base64")}`)
      .join("\n");
    this.pieceRe = new RegExp(options.patStr ?? KIMI_PAT_STR, "gu");
    this.bpe = new Tiktoken({
      pat_str: options.patStr ?? KIMI_PAT_STR,
      special_tokens: { [SENTINEL]: last + 1 },
      bpe_ranks: ranksText,
    });
    this.bosToken = tokenString(cfg.bos_token) ?? "[BOS]";
    this.eosToken = tokenString(cfg.eos_token) ?? "[EOS]";
    this.bosTokenId = this.specials.get(this.bosToken) ?? null;
    this.eosTokenId = this.specials.get(this.eosToken) ?? null;
    const eos = new Set<number>();
    if (this.eosTokenId !== null) eos.add(this.eosTokenId);
    const genEos = files.generationConfig?.eos_token_id;
    for (const id of Array.isArray(genEos) ? genEos : genEos === undefined ? [] : [genEos]) {
      if (typeof id === "number") eos.add(id);
    }
    this.eosTokenIds = [...eos];
    this.chatTemplate = typeof cfg.chat_template === "string" ? cfg.chat_template : null;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    const allowSpecial = options.allowSpecial !== false;
    // Short texts (every rendered piece) need no slicing: skip the generator.
    if (text.length <= MAX_SAME_KIND_RUN) this.encodeSlice(text, allowSpecial, ids);
    else for (const slice of kimiSlices(text)) this.encodeSlice(slice, allowSpecial, ids);
    return ids;
  }

  private encodeSlice(slice: string, allowSpecial: boolean, ids: number[]): void {
    const re = this.specialRe;
    if (!allowSpecial || re === null) {
      this.encodeOrdinary(slice, ids);
      return;
    }
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(slice); m !== null; m = re.exec(slice)) {
      if (m.index > last) this.encodeOrdinary(slice.slice(last, m.index), ids);
      ids.push(this.specials.get(m[0]) as number);
      last = m.index + m[0].length;
    }
    if (last < slice.length) this.encodeOrdinary(slice.slice(last), ids);
  }

  /** tiktoken's decode: the tokens' bytes concatenated, invalid UTF-8 replaced by U+FFFD. */
  decode(ids: readonly number[]): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (const id of ids) {
      const bytes = this.bytesByRank[id] ?? this.specialBytes(id);
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    return this.utf8Decoder.decode(all);
  }

  /** Special tokens by name; ordinary tokens in HF's byte-level spelling (`get_vocab()` of tokenization_kimi.py). */
  tokenToId(token: string): number | undefined {
    const special = this.specials.get(token);
    if (special !== undefined) return special;
    if (this.byteLevelIds === null) {
      this.byteLevelIds = new Map();
      this.bytesByRank.forEach((b, r) => {
        (this.byteLevelIds as Map<string, number>).set(Array.from(b, (x) => BYTE_ALPHABET[x]).join(""), r);
      });
    }
    return this.byteLevelIds.get(token);
  }

  idToToken(id: number): string | undefined {
    const special = this.specialNames.get(id);
    if (special !== undefined) return special;
    const bytes = this.bytesByRank[id];
    if (bytes === undefined) return undefined;
    return Array.from(bytes, (x) => BYTE_ALPHABET[x]).join("");
  }

  /**
   * Splits with the pre-tokenizer here and merges each piece through js-tiktoken, memoised per piece: a piece
   * encodes alone as it does in its text (js-tiktoken itself merges piece by piece), and repeated words then cost
   * one map lookup instead of js-tiktoken's per-piece byte-string keys.
   */
  private encodeOrdinary(text: string, out: number[]): void {
    if (text.length === 0) return;
    const re = this.pieceRe;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const piece = m[0];
      if (piece.length === 0) {
        re.lastIndex++; // a pattern that can match nothing: step on, as matchAll does
        continue;
      }
      let ids = this.pieceCache.get(piece);
      if (ids === undefined) {
        ids = this.bpe.encode(piece, [], []);
        if (piece.length < PIECE_CACHE_MAX_CHARS) {
          if (this.pieceCache.size >= PIECE_CACHE_LIMIT) this.pieceCache.clear();
          this.pieceCache.set(piece, ids);
        }
      }
      for (const id of ids) out.push(id);
    }
  }

  private specialBytes(id: number): Uint8Array {
    const name = this.specialNames.get(id);
    if (name === undefined) throw new RangeError(`tokenizer ${this.name}: no token with id ${id}`);
    return this.utf8.encode(name);
  }
}
