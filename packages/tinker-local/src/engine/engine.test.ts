import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { readSafetensors } from "@crucible/hub";
import { describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import { loadAddon } from "./native.js";
import type { LocalTrainer } from "./trainer.js";
import type { EngineDatum, SampleRequest } from "./types.js";

const engine = createEngine({ modelsDir: join(os.tmpdir(), "crucible-models-test") });
const QWEN = "crucible/tiny-qwen3";
const LLAMA = "crucible/tiny-llama3";
const LORA = { rank: 8, seed: 3, trainAttn: true, trainMlp: true, trainUnembed: true };
const ADAM = { learningRate: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClipNorm: 0 };

function ceDatum(seed: number, n = 16): EngineDatum {
  const toks = Int32Array.from({ length: n + 1 }, (_, i) => (seed * 7919 + i * 104729) % 20000);
  return {
    inputTokens: toks.slice(0, n),
    targetTokens: toks.slice(1),
    k: 1,
    weights: new Float32Array(n).fill(1),
  };
}

function sampleReq(over: Partial<SampleRequest> = {}): SampleRequest {
  return {
    prompt: ceDatum(1, 6).inputTokens,
    numSamples: 3,
    maxTokens: 8,
    temperature: 1,
    topK: -1,
    topP: 1,
    seed: 7,
    stopTokenIds: [],
    stopStrings: [],
    includePromptLogprobs: false,
    topkPromptLogprobs: 0,
    ...over,
  };
}

const tmp = () => mkdtempSync(join(os.tmpdir(), "crucible-engine-"));

describe("engine: training", () => {
  it("loss falls over 20 steps on one batch (tiny-qwen3)", async () => {
    const tr = await engine.createTrainer(QWEN, LORA);
    const batch = [ceDatum(1), ceDatum(2)];
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) {
      losses.push((await tr.forward(batch, { lossFn: "cross_entropy", backward: true })).lossSum);
      await tr.optimStep(ADAM);
    }
    expect(losses[19] as number).toBeLessThan((losses[0] as number) * 0.5);
  });

  it("save/load with optimizer continues identically; without optimizer it does not", async () => {
    const batch = [ceDatum(3)];
    const step = async (tr: Awaited<ReturnType<typeof engine.createTrainer>>) => {
      const l = (await tr.forward(batch, { lossFn: "cross_entropy", backward: true })).lossSum;
      await tr.optimStep(ADAM);
      return l;
    };
    const a = await engine.createTrainer(LLAMA, LORA);
    for (let s = 0; s < 3; s++) await step(a);
    const dir = join(tmp(), "state");
    await a.saveState(dir, { optimizer: true });
    const cont = [await step(a), await step(a)];
    const b = await engine.createTrainer(LLAMA, { ...LORA, seed: 99 });
    await b.loadState(dir, { optimizer: true });
    expect([await step(b), await step(b)]).toEqual(cont);
    const c = await engine.createTrainer(LLAMA, LORA);
    await c.loadState(dir, { optimizer: false });
    const fresh = [await step(c), await step(c)];
    expect(fresh[0]).toEqual(cont[0]); // same weights
    expect(fresh[1]).not.toEqual(cont[1]); // fresh AdamW moments take a different step
  });

  it("gradients accumulate across forward_backward calls", async () => {
    const d1 = ceDatum(4);
    const d2 = { ...ceDatum(5, 10), weights: new Float32Array(10).fill(-0.5) }; // negative weights are allowed
    const one = (await engine.createTrainer(QWEN, LORA)) as LocalTrainer;
    await one.forward([d1, d2], { lossFn: "cross_entropy", backward: true });
    const two = (await engine.createTrainer(QWEN, LORA)) as LocalTrainer;
    await two.forward([d1], { lossFn: "cross_entropy", backward: true });
    await two.forward([d2], { lossFn: "cross_entropy", backward: true });
    const g2 = new Map(two.tensors("grads").map((t) => [t.name, t.data]));
    for (const g of one.tensors("grads")) {
      const other = g2.get(g.name) as Float32Array;
      let scale = 0;
      let err = 0;
      g.data.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        err = Math.max(err, Math.abs(v - (other[i] as number)));
      });
      expect(err).toBeLessThanOrEqual(1e-5 * scale + 1e-12);
    }
  });

  it("forward_only accumulates nothing and optim_step then leaves the adapter unchanged", async () => {
    const tr = (await engine.createTrainer(QWEN, { ...LORA, trainUnembed: false })) as LocalTrainer;
    const before = tr.tensors("params");
    const r = await tr.forward([ceDatum(6)], { lossFn: "cross_entropy", backward: false });
    expect(r.logprobs[0]).toHaveLength(16);
    await tr.optimStep(ADAM);
    expect(tr.tensors("params")).toEqual(before);
  });

  it("exports a PEFT adapter", async () => {
    const tr = await engine.createTrainer(QWEN, { ...LORA, trainMlp: false, trainUnembed: false });
    const dir = join(tmp(), "sampler");
    await tr.saveSamplerWeights(dir);
    const cfg = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"));
    expect(cfg).toMatchObject({ peft_type: "LORA", r: 8, lora_alpha: 32 });
    expect(cfg.target_modules).toEqual(["k_proj", "o_proj", "q_proj", "v_proj"]);
    const names = readSafetensors(join(dir, "adapter_model.safetensors")).tensors.map((t) => t.name);
    expect(names).toContain("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
    expect(names).toHaveLength(2 * 2 * 4);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
  });

  it("rejects bad input with errors naming the field", async () => {
    const tr = await engine.createTrainer(QWEN, LORA);
    const fwd = (
      d: EngineDatum,
      lossFn: "cross_entropy" | "ppo" = "cross_entropy",
      cfg?: Record<string, number>,
    ) => tr.forward([d], { lossFn, lossFnConfig: cfg, backward: true });
    const d = ceDatum(7, 4);
    await expect(fwd({ ...d, inputTokens: Int32Array.from([1, 2, 999999, 3]) })).rejects.toThrow(
      /out of vocabulary/,
    );
    await expect(fwd({ ...d, targetTokens: Int32Array.from([1, 2, 3]) })).rejects.toThrow(
      /target_tokens has 3 entries/,
    );
    await expect(fwd({ ...d, weights: undefined })).rejects.toThrow(/weights is required/);
    await expect(fwd(d, "ppo")).rejects.toThrow(/advantages is required/);
    await expect(fwd(d, "cross_entropy", { beta: 1 })).rejects.toThrow(/loss_fn_config.beta/);
    const long = ceDatum(8, 4097);
    await expect(fwd(long)).rejects.toThrow(/context of 4096/);
    // the trainer still works afterwards
    expect((await fwd(d)).logprobs[0]).toHaveLength(4);
  });
});

describe("engine: sampling", () => {
  it("same seed gives the same tokens; a different seed differs", async () => {
    const s = await engine.createSampler(QWEN);
    const a = await s.sample(sampleReq());
    const b = await s.sample(sampleReq());
    const c = await s.sample(sampleReq({ seed: 8 }));
    expect(a.sequences).toEqual(b.sequences);
    expect(a.sequences.map((x) => x.tokens)).not.toEqual(c.sequences.map((x) => x.tokens));
    for (const seq of a.sequences) {
      expect(seq.tokens).toHaveLength(8);
      expect(seq.logprobs).toHaveLength(8);
      expect(seq.stopReason).toBe("length");
    }
  });

  it("prompt logprobs equal the trainer's forward logprobs (with a trained adapter)", async () => {
    const tr = await engine.createTrainer(LLAMA, LORA);
    const d = ceDatum(9, 12);
    await tr.forward([d], { lossFn: "cross_entropy", backward: true });
    await tr.optimStep(ADAM);
    const fwd = await tr.forward([d], { lossFn: "cross_entropy", backward: false });
    const dir = join(tmp(), "sw");
    await tr.saveSamplerWeights(dir);
    const s = await engine.createSampler(LLAMA, dir);
    const prompt = Int32Array.from([...d.inputTokens, d.targetTokens[11] as number]);
    const r = await s.sample(
      sampleReq({ prompt, numSamples: 1, maxTokens: 1, includePromptLogprobs: true, topkPromptLogprobs: 3 }),
    );
    expect(r.promptLogprobs?.[0]).toBeNull();
    const lp = fwd.logprobs[0] as Float32Array;
    for (let i = 1; i < prompt.length; i++) expect(r.promptLogprobs?.[i]).toBeCloseTo(lp[i - 1] as number, 5);
    const top = r.topkPromptLogprobs?.[3] as [number, number][];
    expect(top).toHaveLength(3);
    expect(top[0]?.[1]).toBeGreaterThanOrEqual(top[1]?.[1] as number);
    expect(top[0]?.[1]).toBeGreaterThanOrEqual(r.promptLogprobs?.[3] as number);
  });

  it("stops at stop token ids and stop strings, keeping the stop", async () => {
    const s = await engine.createSampler(LLAMA);
    const base = await s.sample(sampleReq({ numSamples: 1, maxTokens: 8 }));
    const toks = base.sequences[0]?.tokens as number[];
    const byId = await s.sample(sampleReq({ numSamples: 1, stopTokenIds: [toks[3] as number] }));
    const firstIdx = toks.indexOf(toks[3] as number);
    expect(byId.sequences[0]?.tokens).toEqual(toks.slice(0, firstIdx + 1));
    expect(byId.sequences[0]?.stopReason).toBe("stop");
    const text = engine.decode(LLAMA, toks.slice(4, 5));
    const byStr = await s.sample(sampleReq({ numSamples: 1, stopStrings: [text] }));
    const seq = byStr.sequences[0];
    expect(seq?.stopReason).toBe("stop");
    expect(seq?.tokens.length).toBeLessThanOrEqual(5);
    expect(engine.decode(LLAMA, seq?.tokens as number[])).toContain(text);
  });

  it("temperature scales the returned logprobs; top_k=1 is greedy", async () => {
    const s = await engine.createSampler(QWEN);
    const greedy = await s.sample(sampleReq({ numSamples: 1, temperature: 0 }));
    const topk1 = await s.sample(sampleReq({ numSamples: 2, topK: 1, seed: 123 }));
    for (const seq of topk1.sequences) expect(seq.tokens).toEqual(greedy.sequences[0]?.tokens);
    const tiny = await s.sample(sampleReq({ numSamples: 2, topP: 1e-6, temperature: 0.5 }));
    for (const seq of tiny.sequences) expect(seq.tokens).toEqual(greedy.sequences[0]?.tokens);
    // logprobs of the τ-scaled distribution: sharper (closer to 0) for the argmax token at τ = 0.5 than at τ = 1
    const t1 = greedy.sequences[0]?.logprobs[0] as number;
    expect(tiny.sequences[0]?.logprobs[0] as number).toBeGreaterThan(t1);
  });

  it("does not block the event loop while computing", async () => {
    const tr = await engine.createTrainer(QWEN, LORA);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await tr.forward([ceDatum(10, 256), ceDatum(11, 256)], { lossFn: "cross_entropy", backward: true });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe("engine: caching allocator", () => {
  it("reuses large buffers: a repeated training step maps no new memory", async () => {
    const tr = await engine.createTrainer(QWEN, LORA);
    const batch = [ceDatum(5)]; // logits 16 × 151936 floats: well above the 256 KiB caching threshold
    const step = async () => {
      await tr.forward(batch, { lossFn: "cross_entropy", backward: true });
      await tr.optimStep(ADAM);
    };
    await step();
    await step();
    const before = loadAddon().allocStats();
    await step();
    const after = loadAddon().allocStats();
    expect(after.hits).toBeGreaterThan(before.hits);
    expect(after.misses).toBe(before.misses);
    expect(after.mappedMB).toBe(before.mappedMB);
  });

  it("keeps a step's blocks beyond 1 GiB: a repeated 640-token step (logits ~371 MiB each) maps nothing new", async () => {
    // A fixed 1 GiB cap unmapped and re-faulted part of this step's blocks every step (3 misses in the measured step).
    // The head in one chunk, so that this short step's live blocks pass 1 GiB (measured peak live 1221 MB; in 64 MiB
    // chunks 557 MB).
    process.env.CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS = "1000";
    const tr = await engine.createTrainer(QWEN, LORA);
    const batch = [ceDatum(6, 320), ceDatum(7, 320)];
    const step = () => tr.forward(batch, { lossFn: "cross_entropy", backward: true });
    let before: ReturnType<ReturnType<typeof loadAddon>["allocStats"]>;
    let after: typeof before;
    try {
      await step();
      await step();
      before = loadAddon().allocStats();
      await step();
      after = loadAddon().allocStats();
    } finally {
      delete process.env.CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS;
      tr.dispose();
    }
    expect(after.peakLiveMB).toBeGreaterThan(1024); // the step itself needs more than the old cap
    expect(after.misses).toBe(before.misses);
    expect(after.evictions).toBe(before.evictions);
    expect(after.mappedMB).toBe(before.mappedMB);
  });
});
