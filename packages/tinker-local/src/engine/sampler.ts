import { LossInputError } from "./losses.js";
import type { LoadedModel } from "./model.js";
import type { NativeAdapter } from "./native.js";
import type { SerialQueue } from "./queue.js";
import type { BaseModelInfo, EngineSampledSequence, SampleRequest, SampleResult, Sampler } from "./types.js";

/** Stop strings are found by decoding a tail of this many tokens per stop-string character (byte-level BPE may
 *  need up to 4 tokens per character). */
const TOKENS_PER_CHAR = 4;
/** Decode steps per native call. The engine itself drops rows at stop ids and max_tokens, so without stop strings a
 *  call returns only to let other queued work (training steps, other samplers) in; with stop strings, which only
 *  the decoded text shows, tokens decoded past one are wasted, so calls are shorter. */
const CHUNK = 64;
const CHUNK_WITH_STOP_STRINGS = 16;

interface StopRule {
  ids: Set<number>;
  strings: string[];
  tail: number;
  maxTokens: number;
}

function validate(req: SampleRequest, base: BaseModelInfo): void {
  const n = req.prompt.length;
  if (n === 0) throw new LossInputError("prompt is empty");
  for (let i = 0; i < n; i++) {
    const id = req.prompt[i] as number;
    if (id < 0 || id >= base.vocabSize) {
      throw new LossInputError(
        `prompt token [${i}] = ${id} is out of vocabulary (vocab size ${base.vocabSize})`,
      );
    }
  }
  if (!Number.isInteger(req.numSamples) || req.numSamples < 1)
    throw new LossInputError("num_samples must be a positive integer");
  if (!Number.isInteger(req.maxTokens) || req.maxTokens < 0)
    throw new LossInputError("sampling_params.max_tokens must be a non-negative integer");
  if (n + req.maxTokens > base.contextLength) {
    throw new LossInputError(
      `prompt (${n} tokens) + max_tokens (${req.maxTokens}) exceeds the context length ${base.contextLength} of ${base.name}`,
    );
  }
  if (!(req.temperature >= 0)) throw new LossInputError("sampling_params.temperature must be >= 0");
  if (!(req.topP > 0 && req.topP <= 1)) throw new LossInputError("sampling_params.top_p must be in (0, 1]");
  if (!Number.isInteger(req.topK) || (req.topK < 1 && req.topK !== -1)) {
    throw new LossInputError("sampling_params.top_k must be -1 (no limit) or a positive integer");
  }
  if (req.seed !== undefined && !(Number.isSafeInteger(req.seed) && req.seed >= 0)) {
    throw new LossInputError("sampling_params.seed must be a non-negative integer");
  }
  if (!Number.isInteger(req.topkPromptLogprobs) || req.topkPromptLogprobs < 0) {
    throw new LossInputError("topk_prompt_logprobs must be a non-negative integer");
  }
}

/**
 * KV-cached sampling. The prompt is prefilled once and its cache shared by the `numSamples` rows, which decode as
 * one batch; finished rows are dropped from the batch. A sequence stops at a stop token id, at the model's EOS
 * tokens, or once its decoded text contains a stop string (the stop token(s) are kept), else at max_tokens.
 */
export class LocalSampler implements Sampler {
  readonly base: BaseModelInfo;
  private disposed = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly adapter: NativeAdapter,
    private readonly queue: SerialQueue,
  ) {
    this.base = model.info;
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    if (this.disposed) throw new Error("Sampler has been disposed");
    validate(req, this.base);
    const a = this.adapter;
    const seed = req.seed ?? Math.floor(Math.random() * 2 ** 52);
    const start = await this.queue.run(() =>
      a.sampleStart(req.prompt, {
        numSamples: req.numSamples,
        maxTokens: req.maxTokens,
        temperature: req.temperature,
        topK: req.topK,
        topP: req.topP,
        seed,
        promptLogprobs: req.includePromptLogprobs,
        topkPrompt: req.topkPromptLogprobs,
      }),
    );
    const result: SampleResult = { sequences: [] };
    try {
      if (req.includePromptLogprobs)
        result.promptLogprobs = Array.from(start.promptLogprobs, (v, i) => (i === 0 ? null : v));
      if (req.topkPromptLogprobs > 0)
        result.topkPromptLogprobs = topkRows(start, req.prompt.length, req.topkPromptLogprobs);
      const seqs: EngineSampledSequence[] = Array.from({ length: req.numSamples }, () => ({
        tokens: [],
        logprobs: [],
        stopReason: "length" as const,
      }));
      result.sequences = seqs;
      if (req.maxTokens === 0) return result;
      const stopIds = new Set([...req.stopTokenIds, ...this.base.eosTokenIds]);
      const stop: StopRule = {
        ids: stopIds,
        strings: req.stopStrings,
        tail: TOKENS_PER_CHAR * Math.max(0, ...req.stopStrings.map((s) => s.length)) + TOKENS_PER_CHAR,
        maxTokens: req.maxTokens,
      };
      const chunk = req.stopStrings.length > 0 ? CHUNK_WITH_STOP_STRINGS : CHUNK;
      const stopArr = Int32Array.from(stopIds);
      // batch[r] is the sequence in row r of the native batch; keep lists the rows that continue
      let batch = seqs.map((_, i) => i);
      let keep: number[] = [];
      batch.forEach((s, r) => {
        if (this.push(seqs[s] as EngineSampledSequence, start.tokens[r], start.logprobs[r], stop))
          keep.push(r);
      });
      while (keep.length > 0) {
        const rows = Int32Array.from(keep);
        const active = keep.map((r) => batch[r] as number);
        const out = await this.queue.run(() => a.sampleSteps(start.id, rows, chunk, stopArr));
        batch = []; // after the call the native batch holds the alive rows, in order
        keep = [];
        active.forEach((s, r) => {
          const seq = seqs[s] as EngineSampledSequence;
          let open = true;
          for (let j = 0; j < (out.counts[r] as number) && open; j++)
            open = this.push(seq, out.tokens[r * chunk + j], out.logprobs[r * chunk + j], stop);
          // a row past a stop string is still alive natively (the engine does not see text): drop it next call
          if (out.alive[r]) {
            if (open) keep.push(batch.length);
            batch.push(s);
          }
        });
      }
      return result;
    } finally {
      a.sampleEnd(start.id);
    }
  }

  /** Appends one sampled token; false once the sequence is finished (stop id, stop string, or max_tokens). */
  private push(
    seq: EngineSampledSequence,
    tok: number | undefined,
    lp: number | undefined,
    stop: StopRule,
  ): boolean {
    seq.tokens.push(tok as number);
    seq.logprobs.push(lp as number);
    if (stop.ids.has(tok as number) || this.hitsStopString(seq.tokens, stop.strings, stop.tail)) {
      seq.stopReason = "stop";
      return false;
    }
    return seq.tokens.length < stop.maxTokens;
  }

  private hitsStopString(tokens: number[], stops: string[], tail: number): boolean {
    if (stops.length === 0) return false;
    const text = this.model
      .tokenizer()
      .decode(tokens.slice(-tail), { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    return stops.some((s) => s.length > 0 && text.includes(s));
  }

  dispose(): void {
    this.disposed = true;
  }
}

function topkRows(
  start: { topkIds: Int32Array; topkLogprobs: Float32Array },
  n: number,
  k: number,
): ([number, number][] | null)[] {
  const kk = start.topkIds.length / n;
  const rows: ([number, number][] | null)[] = [null];
  for (let i = 1; i < n; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < Math.min(k, kk); j++)
      row.push([start.topkIds[i * kk + j] as number, start.topkLogprobs[i * kk + j] as number]);
    rows.push(row);
  }
  return rows;
}
