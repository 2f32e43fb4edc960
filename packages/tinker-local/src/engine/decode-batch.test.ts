// Continuous batching (decode-batch.ts + native sampleStepsMulti): requests decoding at the same time on one
// sampler share native calls, and each seeded request gets exactly what it gets alone.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import type { LocalSampler } from "./sampler.js";
import { trainerAfterOneStep } from "./test-support.js";
import type { SampleRequest, SampleResult, Sampler } from "./types.js";

const engine = createEngine({ modelsDir: join(os.tmpdir(), "crucible-models-test") });
const LLAMA = "crucible/tiny-llama3";
const tmp = mkdtempSync(join(os.tmpdir(), "crucible-decode-batch-"));
let sampler: Sampler;

function req(over: Partial<SampleRequest> = {}): SampleRequest {
  return {
    prompt: Int32Array.from([9, 1234, 77, 20000, 5, 311]),
    numSamples: 2,
    maxTokens: 20,
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

const stats = (s: Sampler) => (s as LocalSampler).batchStats;

/** Each request alone, one after the other. */
async function solo(s: Sampler, reqs: SampleRequest[]): Promise<SampleResult[]> {
  const out: SampleResult[] = [];
  for (const r of reqs) out.push(await s.sample(r));
  return out;
}

beforeAll(async () => {
  // a trained adapter on every module: the LoRA terms go through the batched kernels too
  const tr = await trainerAfterOneStep(engine, LLAMA, req().prompt);
  await tr.saveSamplerWeights(join(tmp, "sw"));
  tr.dispose();
  sampler = await engine.createSampler(LLAMA, join(tmp, "sw"));
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("decode batch: concurrent requests on one sampler", () => {
  it("merge into shared native calls and each gets exactly its solo result (per-request params)", async () => {
    const base = (await sampler.sample(req({ numSamples: 1, maxTokens: 30 }))).sequences[0]
      ?.tokens as number[];
    const text = engine.decode(LLAMA, [base[12] as number]);
    const reqs = [
      req(),
      req({ prompt: Int32Array.from([5, 6, 7]), numSamples: 3, maxTokens: 24, seed: 4, temperature: 0.7 }),
      req({ prompt: Int32Array.from([300, 301, 302, 303, 304, 305, 306, 307, 308]), topK: 5, seed: 5 }),
      req({ numSamples: 4, maxTokens: 25, topP: 0.8, seed: 6 }),
      req({ numSamples: 1, maxTokens: 25, seed: 11, stopTokenIds: [base[8] as number] }),
      req({ numSamples: 1, maxTokens: 30, seed: 11, stopStrings: [text.length > 0 ? text : "e"] }),
      req({ numSamples: 2, maxTokens: 7, temperature: 0, seed: 1, includePromptLogprobs: true }),
      req({ numSamples: 3, maxTokens: 1, seed: 2 }),
      req({ numSamples: 2, maxTokens: 20, seed: 9, stopStrings: ["a", "zz"] }),
    ];
    const alone = await solo(sampler, reqs);
    const before = stats(sampler);
    const merged = await Promise.all(reqs.map((r) => sampler.sample(r)));
    const after = stats(sampler);
    expect(merged).toEqual(alone);
    expect(after.peakRequests).toBeGreaterThanOrEqual(reqs.length - 1); // the 1-token request needs no decode call
    // far fewer native calls than the requests need one by one
    expect(after.calls - before.calls).toBeLessThan(reqs.length);
    expect(merged[4]?.sequences[0]?.stopReason).toBe("stop"); // stop token id
    expect(merged[4]?.sequences[0]?.tokens.length).toBeLessThanOrEqual(9);
    expect(merged[5]?.sequences[0]?.stopReason).toBe("stop"); // stop string
    for (const [i, r] of merged.entries())
      for (const q of r.sequences) expect(q.tokens.length).toBeLessThanOrEqual(reqs[i]?.maxTokens as number);
  }, 120_000);

  it("a request arriving while a decode runs joins it at a call boundary, with its solo result", async () => {
    const long = req({ numSamples: 2, maxTokens: 100, seed: 21 });
    const late = req({ prompt: Int32Array.from([42, 43]), numSamples: 3, maxTokens: 70, seed: 22 });
    const [aloneLong, aloneLate] = await solo(sampler, [long, late]);
    const before = stats(sampler);
    const first = sampler.sample(long);
    while (stats(sampler).calls === before.calls) await new Promise((r) => setImmediate(r));
    const second = sampler.sample(late); // the first native call of `long` is under way
    expect(await Promise.all([first, second])).toEqual([aloneLong, aloneLate]);
    expect(stats(sampler).peakRequests).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("a request with more than 32 rows steps on its own beside the merged small ones, all as alone", async () => {
    const reqs = [
      req({ numSamples: 33, maxTokens: 6, seed: 41 }),
      req({ seed: 42 }),
      req({ seed: 43, numSamples: 3 }),
    ];
    const alone = await solo(sampler, reqs);
    expect(await Promise.all(reqs.map((r) => sampler.sample(r)))).toEqual(alone);
  }, 60_000);

  it("a bad request fails alone; the others decode on", async () => {
    const good = [req({ seed: 31 }), req({ seed: 32, numSamples: 3 })];
    const alone = await solo(sampler, good);
    const bad = req({ prompt: Int32Array.from([5, 10 ** 7]) });
    const [a, b, c] = await Promise.allSettled([
      sampler.sample(good[0] as SampleRequest),
      sampler.sample(bad),
      sampler.sample(good[1] as SampleRequest),
    ]);
    expect(b.status).toBe("rejected");
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/out of vocabulary/);
    expect([a, c].map((x) => (x as PromiseFulfilledResult<SampleResult>).value)).toEqual(alone);
  }, 60_000);

  it("property: any mix of seeded requests decodes as it does alone", async () => {
    const arbReq = fc.record({
      prompt: fc.array(fc.integer({ min: 0, max: 30000 }), { minLength: 1, maxLength: 12 }),
      numSamples: fc.integer({ min: 1, max: 5 }),
      maxTokens: fc.integer({ min: 0, max: 24 }),
      temperature: fc.constantFrom(0, 0.5, 1),
      topK: fc.constantFrom(-1, 3),
      topP: fc.constantFrom(1, 0.9),
      seed: fc.nat({ max: 1000 }),
      stopTokenIds: fc.array(fc.integer({ min: 0, max: 30000 }), { maxLength: 2 }),
      stopStrings: fc.constantFrom([], ["e"], ["the", "s"]),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(arbReq, { minLength: 2, maxLength: 5 }), async (specs) => {
        const reqs = specs.map((s) =>
          req({ ...s, stopStrings: [...s.stopStrings], prompt: Int32Array.from(s.prompt) }),
        );
        const alone = await solo(sampler, reqs);
        expect(await Promise.all(reqs.map((r) => sampler.sample(r)))).toEqual(alone);
      }),
      { numRuns: 6, seed: 7 },
    );
  }, 120_000);
});
