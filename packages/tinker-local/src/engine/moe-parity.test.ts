import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { readSafetensors, toFloat32 } from "@crucible/hub";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import type { LocalTrainer } from "./trainer.js";

// Fixtures from tools/reference/moe_parity.py: generated Qwen3-MoE models (8 experts, top-2, sharp attention, no
// router near-ties above 1e-4), computed in float64 by hf_decoder.py's port of Qwen3MoeForCausalLM.
const FIXTURES = resolve(__dirname, "../../test/fixtures/moe-parity");

interface Variant {
  name: string;
  logprobs: { short: number[]; long: number[] };
  loss: number;
  greedy_prompt_len: number;
  greedy: number[];
}
const fx = JSON.parse(readFileSync(join(FIXTURES, "cases.json"), "utf8")) as {
  rank: number;
  adam: Record<string, number>;
  prompts: { short: number[]; long: number[] };
  variants: Variant[];
};
const expected = new Map(
  readSafetensors(join(FIXTURES, "expected.safetensors")).tensors.map((t) => [t.name, toFloat32(t)]),
);
const tmp = mkdtempSync(join(os.tmpdir(), "moe-parity-"));
const engine = createEngine({ modelsDir: join(tmp, "builtin") });
afterAll(async () => {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
});

const lora = { rank: fx.rank, seed: 0, trainAttn: true, trainMlp: true, trainUnembed: true };
const datum = (tokens: number[]) => ({
  inputTokens: Int32Array.from(tokens.slice(0, -1)),
  targetTokens: Int32Array.from(tokens.slice(1)),
  k: 1,
  weights: new Float32Array(tokens.length - 1).fill(1),
});
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i] as number));
  return maxAbsDiff(a, b) / Math.max(s, 1e-12);
}
const worst: Record<string, number> = {};
const track = (k: string, e: number) => {
  worst[k] = Math.max(worst[k] ?? 0, e);
  return e;
};
afterAll(() => {
  if (process.env.CRUCIBLE_PARITY_REPORT) console.log("moe parity worst errors", worst);
});

describe.each(fx.variants.map((v) => [v.name, v] as const))("Qwen3-MoE parity: %s", (_, v) => {
  const model = join(FIXTURES, v.name, "model");

  it("prompt logprobs on 20- and 400-token prompts (≤ 1e-4)", async () => {
    const trainer = await engine.createTrainer(model, lora); // fresh LoRA, B = 0: the base model
    try {
      for (const which of ["short", "long"] as const) {
        const out = await trainer.forward([datum(fx.prompts[which])], {
          lossFn: "cross_entropy",
          backward: false,
        });
        const err = maxAbsDiff(out.logprobs[0] as Float32Array, v.logprobs[which]);
        expect(track(`logprobs ${which}`, err)).toBeLessThan(1e-4);
      }
    } finally {
      trainer.dispose();
    }
  });

  it("LoRA gradients (attention, Tinker-layout experts, dense MLP, lm_head), one AdamW step, checkpoint, greedy sampling", async () => {
    const trainer = (await engine.createTrainer(model, lora)) as LocalTrainer;
    try {
      await trainer.loadState(join(FIXTURES, v.name, "adapter"), { optimizer: false });
      const out = await trainer.forward([datum(fx.prompts.long)], {
        lossFn: "cross_entropy",
        backward: true,
      });
      expect(Math.abs(out.lossSum - v.loss) / Math.abs(v.loss)).toBeLessThan(1e-5);
      const grads = trainer.tensors("grads");
      expect(grads.some((g) => g.name.includes("mlp.experts.w2.lora_A"))).toBe(true);
      for (const g of grads) {
        const want = expected.get(`${v.name}/grad/${g.name}`);
        expect(want, g.name).toBeDefined();
        // float64 expectations; float32 through sharp attention costs ~1e-4 (see rope-parity.test.ts)
        expect(track("LoRA grads (scaled)", scaledError(g.data, want as Float32Array)), g.name).toBeLessThan(
          5e-4,
        );
      }
      const a = fx.adam;
      await trainer.optimStep({
        learningRate: a.learning_rate as number,
        beta1: a.beta1 as number,
        beta2: a.beta2 as number,
        eps: a.eps as number,
        weightDecay: a.weight_decay as number,
        gradClipNorm: a.grad_clip_norm as number,
      });
      for (const p of trainer.tensors("params")) {
        const want = expected.get(`${v.name}/adamw/${p.name}`) as Float32Array;
        expect(track("AdamW params (scaled)", scaledError(p.data, want)), p.name).toBeLessThan(1e-4);
      }
      // A training checkpoint of the 3-D expert adapters (with AdamW moments) restores exactly.
      const state = join(tmp, `${v.name}-state`);
      await trainer.saveState(state, { optimizer: true });
      const resumed = (await engine.createTrainer(model, { ...lora, seed: 1 })) as LocalTrainer;
      try {
        await resumed.loadState(state, { optimizer: true });
        for (const kind of ["params", "exp_avg", "exp_avg_sq"] as const) {
          const want = new Map(trainer.tensors(kind).map((t) => [t.name, t]));
          for (const t of resumed.tensors(kind)) {
            expect(t.shape, t.name).toEqual(want.get(t.name)?.shape);
            expect(maxAbsDiff(t.data, (want.get(t.name) as { data: Float32Array }).data), t.name).toBe(0);
          }
        }
      } finally {
        resumed.dispose();
      }
      const saved = join(tmp, `${v.name}-adapter`);
      await trainer.saveSamplerWeights(saved);
      // The exported PEFT adapter names and shapes are the ones the cookbook's weights module merges.
      const peft = new Map(
        readSafetensors(join(saved, "adapter_model.safetensors")).tensors.map((t) => [t.name, t.shape]),
      );
      const sparse = v.name === "moe-norm" ? 0 : 1;
      const p = `base_model.model.model.layers.${sparse}.mlp.experts`;
      expect(peft.get(`${p}.w1.lora_A.weight`)).toEqual([1, fx.rank, 32]);
      expect(peft.get(`${p}.w1.lora_B.weight`)).toEqual([8, 16, fx.rank]);
      expect(peft.get(`${p}.w2.lora_A.weight`)).toEqual([8, fx.rank, 16]);
      expect(peft.get(`${p}.w2.lora_B.weight`)).toEqual([1, 32, fx.rank]);
      const sampler = await engine.createSampler(model, saved);
      const r = await sampler.sample({
        prompt: Int32Array.from(fx.prompts.long.slice(0, v.greedy_prompt_len)),
        numSamples: 1,
        maxTokens: v.greedy.length,
        temperature: 0,
        topK: -1,
        topP: 1,
        stopTokenIds: [],
        stopStrings: [],
        includePromptLogprobs: false,
        topkPromptLogprobs: 0,
      });
      const eos = v.greedy.indexOf(2);
      expect(r.sequences[0]?.tokens).toEqual(eos < 0 ? v.greedy : v.greedy.slice(0, eos + 1));
      sampler.dispose();
    } finally {
      trainer.dispose();
    }
  });
});
