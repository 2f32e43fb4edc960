import { DecodeBatch, DecodeMember } from "./decode-batch.js";
import { LossInputError } from "./losses.js";
import type { LoadedModel } from "./model.js";
import type { NativeAdapter } from "./native.js";
import type { SerialQueue } from "./queue.js";
import type { BaseModelInfo, EngineSampledSequence, SampleRequest, SampleResult, Sampler } from "./types.js";

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
 * KV-cached sampling. The prompt is prefilled once and its cache shared by the `numSamples` rows. The rows of all
 * requests decoding on this sampler at the same time run as one native batch (continuous batching: a request
 * joins at the next native call after its prefill); finished rows are dropped from the batch. A sequence stops at a
 * stop token id, at the model's EOS tokens, or once its decoded text contains a stop string (the stop token(s) are
 * kept), else at max_tokens. A seeded request gets the same result whatever else decodes with it.
 */
export class LocalSampler implements Sampler {
  readonly base: BaseModelInfo;
  private disposed = false;
  private readonly batch: DecodeBatch;

  constructor(
    private readonly model: LoadedModel,
    private readonly adapter: NativeAdapter,
    private readonly queue: SerialQueue,
  ) {
    this.base = model.info;
    this.batch = new DecodeBatch(adapter, queue);
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
      const stop = {
        ids: [...new Set([...req.stopTokenIds, ...this.base.eosTokenIds])],
        strings: req.stopStrings,
        maxTokens: req.maxTokens,
      };
      // the tokenizer is loaded only for stop strings (a model directory may come without one)
      const member = new DecodeMember(start.id, seqs, stop, (tokens) =>
        this.model
          .tokenizer()
          .decode(tokens, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
      );
      member.first(start.tokens, start.logprobs);
      await this.batch.run(member);
      return result;
    } finally {
      // through the queue: the native session table must not change while a batched call runs on it
      void this.queue.run(() => a.sampleEnd(start.id)).catch(() => undefined);
    }
  }

  /** Requests decoding on this sampler now. */
  get decoding(): number {
    return this.batch.size;
  }

  /** Native decode calls so far, and the most requests one of them carried. */
  get batchStats(): { calls: number; peakRequests: number } {
    return { ...this.batch.stats };
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
