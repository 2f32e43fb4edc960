// Multi-step decoding (sampler.ts + native sampleSteps): stops inside and across native calls, max_tokens,
// determinism, and the inverse-CDF draw's logprobs and frequencies.
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import { trainerAfterOneStep } from "./test-support.js";
import type { SampleRequest } from "./types.js";

const engine = createEngine({ modelsDir: join(os.tmpdir(), "crucible-models-test") });
const LLAMA = "crucible/tiny-llama3";
const BYTES = "crucible/tiny-bytes";

function req(over: Partial<SampleRequest> = {}): SampleRequest {
  return {
    prompt: Int32Array.from([9, 1234, 77, 20000, 5, 311]),
    numSamples: 1,
    maxTokens: 40,
    temperature: 1,
    topK: -1,
    topP: 1,
    seed: 11,
    stopTokenIds: [],
    stopStrings: [],
    includePromptLogprobs: false,
    topkPromptLogprobs: 0,
    ...over,
  };
}

const decode = (toks: number[]) => (toks.length > 0 ? engine.decode(LLAMA, toks) : "");

describe("sampler: multi-step decode", () => {
  it("runs to max_tokens across several native calls; the same seed twice gives the same tokens", async () => {
    const s = await engine.createSampler(LLAMA);
    const a = await s.sample(req({ numSamples: 3, maxTokens: 70 })); // > 64 steps: two native calls
    const b = await s.sample(req({ numSamples: 3, maxTokens: 70 }));
    expect(a.sequences).toEqual(b.sequences);
    for (const seq of a.sequences) {
      expect(seq.tokens).toHaveLength(70);
      expect(seq.logprobs).toHaveLength(70);
      expect(seq.stopReason).toBe("length");
    }
    const c = await s.sample(req({ numSamples: 3, maxTokens: 70, seed: 12 }));
    expect(c.sequences.map((x) => x.tokens)).not.toEqual(a.sequences.map((x) => x.tokens));
  });

  it("a stop token id decoded inside a native call ends the row there, keeping the stop", async () => {
    const s = await engine.createSampler(LLAMA);
    const base = (await s.sample(req())).sequences[0]?.tokens as number[];
    const id = base[25] as number;
    const first = base.indexOf(id);
    const r = (await s.sample(req({ stopTokenIds: [id] }))).sequences[0];
    expect(r?.tokens).toEqual(base.slice(0, first + 1));
    expect(r?.stopReason).toBe("stop");
  });

  it("a stop string completed mid-chunk truncates right after the token that completes it", async () => {
    const s = await engine.createSampler(LLAMA);
    const base = (await s.sample(req())).sequences[0]?.tokens as number[];
    // first index at which the decoded prefix contains `text`
    const firstHit = (text: string) => base.findIndex((_, k) => decode(base.slice(0, k + 1)).includes(text));
    // a token whose text first completes inside the second 16-step call (tokens 17..32), not at its edges
    let text = "";
    let k = -1;
    for (let j = 18; j < 32 && k < 0; j++) {
      const t = decode(base.slice(j, j + 1));
      const hit = t.trim().length >= 2 ? firstHit(t) : -1;
      if (hit > 17 && hit < 32) [text, k] = [t, hit];
    }
    expect(k).toBeGreaterThan(17);
    const a = await s.sample(req({ stopStrings: [text] }));
    const b = await s.sample(req({ stopStrings: [text] }));
    expect(a.sequences).toEqual(b.sequences);
    expect(a.sequences[0]?.tokens).toEqual(base.slice(0, k + 1));
    expect(a.sequences[0]?.stopReason).toBe("stop");
  });

  it("with several rows each stopped row ends at its first stop-string hit; the others run to max_tokens", async () => {
    const s = await engine.createSampler(LLAMA);
    const stop = "z";
    const r = await s.sample(req({ numSamples: 4, maxTokens: 48, stopStrings: [stop] }));
    expect(await s.sample(req({ numSamples: 4, maxTokens: 48, stopStrings: [stop] }))).toEqual(r);
    // with this seed rows stop in the first and in a later call while one runs to max_tokens
    const reasons = r.sequences.map((q) => q.stopReason);
    expect(reasons).toContain("length");
    expect(r.sequences.some((q) => q.stopReason === "stop" && q.tokens.length > 17)).toBe(true);
    expect(r.sequences.some((q) => q.stopReason === "stop" && q.tokens.length < 17)).toBe(true);
    for (const q of r.sequences) {
      expect(q.logprobs).toHaveLength(q.tokens.length);
      expect(decode(q.tokens.slice(0, -1))).not.toContain(stop);
      if (q.stopReason === "stop") expect(decode(q.tokens)).toContain(stop);
      else expect(q.tokens).toHaveLength(48);
    }
  });

  // 3 and 6 rows take the two register tiles of the decode kernel (small_gemm.cc), 9 rows two row groups, 33 rows the
  // sgemm fallback; LoRA rank 5 leaves a remainder after the kernel's 8-wide loop
  it("sampled logprobs equal the trainer's forward logprobs (trained adapter, temperature 1)", async () => {
    const p = req().prompt;
    const tr = await trainerAfterOneStep(engine, LLAMA, p);
    const dir = join(os.tmpdir(), `crucible-sampler-test-${process.pid}`, "sw");
    await tr.saveSamplerWeights(dir);
    const s = await engine.createSampler(LLAMA, dir);
    for (const numSamples of [3, 6, 9, 33]) {
      const r = await s.sample(req({ numSamples, maxTokens: 12 }));
      for (const q of r.sequences) {
        const all = Int32Array.from([...p, ...q.tokens]);
        const n = all.length - 1;
        const fwd = await tr.forward(
          [
            {
              inputTokens: all.slice(0, n),
              targetTokens: all.slice(1),
              k: 1,
              weights: new Float32Array(n).fill(1),
            },
          ],
          { lossFn: "cross_entropy", backward: false },
        );
        const lp = (fwd.logprobs[0] as Float32Array).slice(p.length - 1);
        expect(q.logprobs).toHaveLength(12);
        for (const [i, v] of q.logprobs.entries()) expect(v).toBeCloseTo(lp[i] as number, 4);
      }
    }
  });

  it("draws tokens with the frequencies of their returned (temperature-scaled) probabilities", async () => {
    const s = await engine.createSampler(BYTES); // vocab 320: thousands of rows stay cheap
    const N = 4000;
    for (const temperature of [1, 0.6]) {
      // the first token of every row is drawn from the same (prefill) distribution
      const r = await s.sample(
        req({ prompt: Int32Array.from([72, 101, 108]), numSamples: N, maxTokens: 1, temperature }),
      );
      const counts = new Map<number, { n: number; lp: number }>();
      for (const q of r.sequences) {
        const c = counts.get(q.tokens[0] as number) ?? { n: 0, lp: q.logprobs[0] as number };
        c.n++;
        counts.set(q.tokens[0] as number, c);
      }
      const top = [...counts.values()].sort((x, y) => y.n - x.n).slice(0, 5);
      for (const { n, lp } of top) {
        const p = Math.exp(lp);
        expect(Math.abs(n / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N) + 1 / N);
      }
    }
  });
});
