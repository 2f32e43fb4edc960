/** Raised for a config.json the engine cannot run; names the key, its value and what is supported. */
export class ModelConfigError extends Error {
  /** The caller's input was wrong (the server reports it as a `user` error: HTTP 400, CLI exit 2). */
  readonly category = "user" as const;
  constructor(field: string, detail: string) {
    super(`config.json field ${field}: ${detail}`);
    this.name = "ModelConfigError";
  }
}

export type Json = Record<string, unknown>;

/**
 * Keys that never change what the network computes: bookkeeping, and the generation defaults that old
 * `PretrainedConfig.to_dict()` wrote into every (sub-)config. Sampling parameters come from each request.
 */
const METADATA_KEYS = new Set([
  "architectures",
  "model_type",
  "torch_dtype",
  "dtype",
  "transformers_version",
  "_name_or_path",
  "_attn_implementation_autoset",
  "use_cache",
  "bos_token_id",
  "pad_token_id",
  "sep_token_id",
  "decoder_start_token_id",
  "initializer_range",
  "initializer_factor",
  "output_attentions",
  "output_hidden_states",
  "output_scores",
  "return_dict",
  "return_dict_in_generate",
  "torchscript",
  "use_bfloat16",
  "tf_legacy_loss",
  "id2label",
  "label2id",
  "problem_type",
  "finetuning_task",
  "task_specific_params",
  "tokenizer_class",
  "prefix",
  "pruned_heads",
  "chunk_size_feed_forward",
  "is_decoder",
  "is_encoder_decoder",
  "add_cross_attention",
  "cross_attention_hidden_size",
  "tie_encoder_decoder",
  "max_length",
  "min_length",
  "do_sample",
  "early_stopping",
  "num_beams",
  "num_beam_groups",
  "diversity_penalty",
  "temperature",
  "top_k",
  "top_p",
  "typical_p",
  "repetition_penalty",
  "length_penalty",
  "no_repeat_ngram_size",
  "encoder_no_repeat_ngram_size",
  "bad_words_ids",
  "num_return_sequences",
  "forced_bos_token_id",
  "forced_eos_token_id",
  "remove_invalid_values",
  "exponential_decay_length_penalty",
  "suppress_tokens",
  "begin_suppress_tokens",
  "keys_to_ignore_at_inference",
  "quantization_config_ignored_keys",
]);

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Reads one (sub-)config object and remembers which keys were read, so that `finish()` can refuse any key
 * nobody understood instead of silently running a different model than the one configured.
 */
export class ConfigReader {
  private readonly seen = new Set<string>();
  constructor(
    readonly json: Json,
    /** How errors name this object's keys: "" for the top level, "text_config." for a nested one. */
    readonly prefix = "",
  ) {}

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }
  raw(key: string): unknown {
    this.seen.add(key);
    return this.json[key];
  }
  fail(key: string, detail: string): never {
    throw new ModelConfigError(`${this.prefix}${key}`, detail);
  }
  /** Marks keys as understood without reading them (their value does not matter to the computation). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.seen.add(k);
  }

  int(key: string, fallback?: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
      this.fail(key, `expected a positive integer, got ${show(this.json[key])}`);
    return v;
  }
  num(key: string, fallback?: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v))
      this.fail(key, `expected a number, got ${show(this.json[key])}`);
    return v;
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== "boolean") this.fail(key, `expected true or false, got ${show(this.json[key])}`);
    return v;
  }
  str(key: string, fallback?: string): string {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== "string") this.fail(key, `expected a string, got ${show(this.json[key])}`);
    return v;
  }
  /** The key must be absent, null or equal to `allowed` (a setting the engine does not implement otherwise). */
  only(key: string, allowed: unknown, why: string): void {
    const v = this.raw(key);
    if (v !== undefined && v !== null && v !== allowed)
      this.fail(key, `${show(v)} is not supported (${why})`);
  }

  /** Throws on the first key that was neither read nor ignored nor known metadata. */
  finish(context: string): void {
    for (const [k, v] of Object.entries(this.json)) {
      if (this.seen.has(k) || METADATA_KEYS.has(k)) continue;
      this.fail(
        k,
        `${show(v)} is not understood by the engine for ${context}; it may change the computation, so the model ` +
          "is refused rather than run differently from its definition (remove the key if it does not apply)",
      );
    }
  }
}

export { show as showConfigValue };
