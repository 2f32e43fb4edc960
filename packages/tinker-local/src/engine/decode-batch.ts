import type { NativeAdapter, NativeSampleChunk } from "./native.js";
import type { SerialQueue } from "./queue.js";
import type { EngineSampledSequence } from "./types.js";

/** Stop strings are found by decoding a tail of this many tokens per stop-string character (byte-level BPE may
 *  need up to 4 tokens per character). */
const TOKENS_PER_CHAR = 4;
/** Decode steps per native call. The engine itself drops rows at stop ids and max_tokens, so without stop strings a
 *  call returns only to let other queued work (training steps, other samplers, requests joining the batch) in; with
 *  stop strings, which only the decoded text shows, tokens decoded past one are wasted, so calls are shorter. */
export const CHUNK = 64;
export const CHUNK_WITH_STOP_STRINGS = 16;

export interface StopRule {
  ids: number[];
  strings: string[];
  maxTokens: number;
}

/**
 * One request's rows in a decode batch. Its results must not depend on the batch around it: the engine samples
 * each request from its own generator, and a row that completes a stop string stays in the native batch (drawing
 * random numbers) until the end of a 16-step chunk of this request, exactly as when it decodes alone. So chunk
 * boundaries are counted per request, and rows finished mid-chunk ("zombies") are passed on until the boundary.
 */
export class DecodeMember {
  /** Native row r holds sequence batch[r]. */
  private batch: number[];
  private readonly finished = new Set<number>();
  private sinceBoundary = 0;
  private readonly tail: number;
  readonly chunk: number;
  readonly stopIds: Int32Array;
  /** Rows (of the native batch) that continue in the next call. */
  keep: number[] = [];

  constructor(
    readonly id: number,
    readonly seqs: EngineSampledSequence[],
    private readonly stop: StopRule,
    private readonly decode: (tokens: number[]) => string,
  ) {
    this.stopIds = Int32Array.from(stop.ids);
    this.chunk = stop.strings.length > 0 ? CHUNK_WITH_STOP_STRINGS : Number.POSITIVE_INFINITY;
    this.tail = TOKENS_PER_CHAR * Math.max(0, ...stop.strings.map((s) => s.length)) + TOKENS_PER_CHAR;
    this.batch = seqs.map((_, i) => i);
  }

  /** Steps this member can take before its next chunk boundary. */
  get untilBoundary(): number {
    return this.chunk - this.sinceBoundary;
  }

  get done(): boolean {
    return this.keep.length === 0;
  }

  /** The prefill's first token per row. */
  first(tokens: Int32Array, logprobs: Float32Array): void {
    this.batch.forEach((s, r) => {
      if (!this.push(s, tokens[r], logprobs[r])) this.finished.add(s);
    });
    this.boundary();
  }

  /** Applies a native call's output of `steps` steps for the rows in `keep`. */
  consume(out: NativeSampleChunk, steps: number): void {
    const active = this.keep.map((r) => this.batch[r] as number);
    const width = out.tokens.length / Math.max(1, active.length);
    this.batch = []; // after the call the native batch holds the alive rows, in order
    active.forEach((s, r) => {
      let open = !this.finished.has(s);
      for (let j = 0; j < (out.counts[r] as number) && open; j++)
        open = this.push(s, out.tokens[r * width + j], out.logprobs[r * width + j]);
      if (!open) this.finished.add(s);
      if (out.alive[r]) this.batch.push(s);
    });
    this.sinceBoundary += steps;
    if (this.sinceBoundary >= this.chunk) this.boundary();
    else this.keep = this.batch.some((s) => !this.finished.has(s)) ? this.batch.map((_, r) => r) : [];
  }

  /** At a chunk boundary the rows finished by a stop string leave the native batch. */
  private boundary(): void {
    this.sinceBoundary = 0;
    this.keep = [];
    this.batch.forEach((s, r) => {
      if (!this.finished.has(s)) this.keep.push(r);
    });
  }

  /** Appends one sampled token; false once the sequence is finished (stop id, stop string, or max_tokens). */
  private push(s: number, tok: number | undefined, lp: number | undefined): boolean {
    const seq = this.seqs[s] as EngineSampledSequence;
    seq.tokens.push(tok as number);
    seq.logprobs.push(lp as number);
    if (this.stop.ids.includes(tok as number) || this.hitsStopString(seq.tokens)) {
      seq.stopReason = "stop";
      return false;
    }
    return seq.tokens.length < this.stop.maxTokens;
  }

  private hitsStopString(tokens: number[]): boolean {
    if (this.stop.strings.length === 0) return false;
    const text = this.decode(tokens.slice(-this.tail));
    return this.stop.strings.some((s) => s.length > 0 && text.includes(s));
  }
}

interface Entry {
  member: DecodeMember;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Continuous batching for one sampler: the rows of every request decoding on it run as one native batch
 * (`sampleStepsMulti`). A request that arrives while a call runs is prefilled in its own native call and joins the
 * batch at the next call boundary; a request leaves once all its rows are finished. A failed call fails the
 * requests that were in it; the others (and later joiners) go on.
 */
export class DecodeBatch {
  private members: Entry[] = [];
  private joining: Entry[] = [];
  private looping = false;
  /** Native decode calls made, and the most requests one of them carried. */
  readonly stats = { calls: 0, peakRequests: 0 };

  constructor(
    private readonly adapter: NativeAdapter,
    private readonly queue: SerialQueue,
  ) {}

  /** Resolves once every row of `member` is finished. */
  run(member: DecodeMember): Promise<void> {
    if (member.done) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.joining.push({ member, resolve, reject });
      if (!this.looping) void this.loop();
    });
  }

  /** Requests decoding now (for tests and metrics). */
  get size(): number {
    return this.members.length + this.joining.length;
  }

  /** One native call for all groups; an addon built before sampleStepsMulti decodes them one call each. */
  private async steps(groups: { id: number; keep: Int32Array; stopIds: Int32Array }[], steps: number) {
    const a = this.adapter;
    if (typeof a.sampleStepsMulti === "function") return a.sampleStepsMulti(groups, steps);
    const outs: NativeSampleChunk[] = [];
    for (const g of groups) outs.push(await a.sampleSteps(g.id, g.keep, steps, g.stopIds));
    return outs;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (this.members.length + this.joining.length > 0) {
        let group: Entry[] = [];
        let steps = CHUNK;
        try {
          const outs = await this.queue.run(() => {
            // joiners are taken when the call starts, so one prefilled meanwhile is not left for the next call
            this.members.push(...this.joining.splice(0));
            group = this.members;
            for (const e of group) steps = Math.min(steps, e.member.untilBoundary);
            this.stats.calls++;
            this.stats.peakRequests = Math.max(this.stats.peakRequests, group.length);
            const groups = group.map(({ member: m }) => ({
              id: m.id,
              keep: Int32Array.from(m.keep),
              stopIds: m.stopIds,
            }));
            return this.steps(groups, steps);
          });
          group.forEach((e, i) => {
            try {
              e.member.consume(outs[i] as NativeSampleChunk, steps);
            } catch (err) {
              e.member.keep = [];
              e.reject(err);
            }
          });
        } catch (err) {
          for (const e of group) {
            e.member.keep = [];
            e.reject(err);
          }
        }
        this.members = this.members.filter((e) => {
          if (!e.member.done) return true;
          e.resolve(); // no-op for a rejected one
          return false;
        });
      }
    } finally {
      this.looping = false;
    }
  }
}
