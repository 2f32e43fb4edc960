// The built-in tiny Qwen3.5 (qwen3_5_text, layer_types from full_attention_interval: three Gated DeltaNet layers
// then gated attention) through the engine: training, checkpoints, the PEFT export's module names, and sampling
// with the recurrent state after training.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { readSafetensors } from "@crucible/hub";
import { afterAll, describe, expect, it } from "vitest";
import { QWEN35_TINY_CONFIG } from "./builtin-qwen35.js";
import { createEngine } from "./engine.js";
import type { EngineDatum, SampleRequest, Trainer } from "./types.js";

const root = mkdtempSync(join(os.tmpdir(), "crucible-qwen35-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const engine = createEngine({ modelsDir: join(root, "models") });
const MODEL = "crucible/tiny-qwen3_5";
const LORA = { rank: 8, seed: 3, trainAttn: true, trainMlp: true, trainUnembed: true };
const ADAM = { learningRate: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClipNorm: 0 };

function ceDatum(seed: number, n = 24): EngineDatum {
  const toks = Int32Array.from({ length: n + 1 }, (_, i) => (seed * 7919 + i * 104729) % 20000);
  return {
    inputTokens: toks.slice(0, n),
    targetTokens: toks.slice(1),
    k: 1,
    weights: new Float32Array(n).fill(1),
  };
}

async function step(tr: Trainer, batch: EngineDatum[]): Promise<number> {
  const l = (await tr.forward(batch, { lossFn: "cross_entropy", backward: true })).lossSum;
  await tr.optimStep(ADAM);
  return l;
}

describe("engine: tiny Qwen3.5", () => {
  it("loss falls over 15 steps; save/load with optimizer continues identically", async () => {
    const batch = [ceDatum(1), ceDatum(2, 17)];
    const a = await engine.createTrainer(MODEL, LORA);
    const losses: number[] = [];
    for (let s = 0; s < 15; s++) losses.push(await step(a, batch));
    expect(losses[14] as number).toBeLessThan((losses[0] as number) * 0.5);
    const dir = join(root, "state");
    await a.saveState(dir, { optimizer: true });
    const cont = [await step(a, batch), await step(a, batch)];
    const b = await engine.createTrainer(MODEL, { ...LORA, seed: 99 });
    await b.loadState(dir, { optimizer: true });
    expect([await step(b, batch), await step(b, batch)]).toEqual(cont);
  });

  it("adapts Tinker's modules: in_proj_q/k/v/z and out_proj on linear layers, q/k/v/o_proj on attention", async () => {
    const tr = await engine.createTrainer(MODEL, { ...LORA, trainMlp: false, trainUnembed: false });
    const dir = join(root, "peft");
    await tr.saveSamplerWeights(dir);
    const cfg = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"));
    expect(cfg.target_modules).toEqual([
      "in_proj_k",
      "in_proj_q",
      "in_proj_v",
      "in_proj_z",
      "k_proj",
      "o_proj",
      "out_proj",
      "q_proj",
      "v_proj",
    ]);
    const t = new Map(
      readSafetensors(join(dir, "adapter_model.safetensors")).tensors.map((x) => [x.name, x.shape]),
    );
    expect(t.size).toBe(2 * (3 * 5 + 4)); // three linear-attention layers, one attention layer
    const c = QWEN35_TINY_CONFIG;
    const kd = c.linear_num_key_heads * c.linear_key_head_dim;
    const vd = c.linear_num_value_heads * c.linear_value_head_dim;
    const p = "base_model.model.model.layers.";
    expect(t.get(`${p}0.linear_attn.in_proj_k.lora_B.weight`)).toEqual([kd, 8]);
    expect(t.get(`${p}0.linear_attn.in_proj_v.lora_B.weight`)).toEqual([vd, 8]);
    expect(t.get(`${p}2.linear_attn.out_proj.lora_A.weight`)).toEqual([8, vd]);
    // q_proj yields query and output gate: 2 × heads × head_dim rows
    expect(t.get(`${p}3.self_attn.q_proj.lora_B.weight`)).toEqual([
      2 * c.num_attention_heads * c.head_dim,
      8,
    ]);
  });

  it("a trained adapter samples through the recurrent state with the trainer's logprobs", async () => {
    const tr = await engine.createTrainer(MODEL, LORA);
    for (let s = 0; s < 3; s++) await step(tr, [ceDatum(4)]);
    const dir = join(root, "sampler");
    await tr.saveSamplerWeights(dir);
    const s = await engine.createSampler(MODEL, dir);
    const prompt = ceDatum(4, 9).inputTokens;
    const req: SampleRequest = {
      prompt,
      numSamples: 3,
      maxTokens: 70, // two native decode calls
      temperature: 1,
      topK: -1,
      topP: 1,
      seed: 7,
      stopTokenIds: [],
      stopStrings: [],
      includePromptLogprobs: true,
      topkPromptLogprobs: 0,
    };
    const r = await s.sample(req);
    expect(r.sequences).toEqual((await s.sample(req)).sequences);
    for (const seq of r.sequences) {
      const full = [...prompt, ...seq.tokens];
      const n = full.length - 1;
      const fwd = await tr.forward(
        [
          {
            inputTokens: Int32Array.from(full.slice(0, n)),
            targetTokens: Int32Array.from(full.slice(1)),
            k: 1,
            weights: new Float32Array(n).fill(1),
          },
        ],
        { lossFn: "cross_entropy", backward: false },
      );
      const lp = fwd.logprobs[0] as Float32Array;
      seq.logprobs.forEach((x, i) => {
        expect(x).toBeCloseTo(lp[prompt.length - 1 + i] as number, 4);
      });
      for (let i = 1; i < prompt.length; i++)
        expect(r.promptLogprobs?.[i]).toBeCloseTo(lp[i - 1] as number, 4);
    }
  });
});
