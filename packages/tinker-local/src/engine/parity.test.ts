import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { readSafetensors, toFloat32 } from "@crucible/hub";
import type { LossFnType } from "@crucible/tinker-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import type { LocalTrainer } from "./trainer.js";
import type { EngineDatum } from "./types.js";

// Fixtures come from tools/reference/engine_parity.py (PyTorch 1.13, autograd + torch.optim.AdamW).
const FIXTURES = resolve(__dirname, "../../test/fixtures/parity");

interface FixtureDatum {
  tokens: number[];
  targets: number[][];
  weights: number[][];
  advantages?: number[];
  sampler_logprobs?: number[];
  clip_low?: number[];
  clip_high?: number[];
}
interface Fixture {
  rank: number;
  adam: Record<string, number>;
  datums: FixtureDatum[];
  topk_datum: FixtureDatum;
  cases: {
    name: string;
    loss_fn: LossFnType;
    loss_fn_config: Record<string, number>;
    loss_sum: number;
    logprobs: number[][];
    elementwise_loss: number[][];
    grad_norm?: number;
  }[];
}

function toDatum(d: FixtureDatum, perTokenClip: boolean): EngineDatum {
  const k = d.targets[0]?.length ?? 1;
  return {
    inputTokens: Int32Array.from(d.tokens),
    targetTokens: Int32Array.from(d.targets.flat()),
    k,
    weights: Float32Array.from(d.weights.flat()),
    advantages: d.advantages ? Float32Array.from(d.advantages) : undefined,
    samplerLogprobs: d.sampler_logprobs ? Float32Array.from(d.sampler_logprobs) : undefined,
    clipLowThreshold: perTokenClip && d.clip_low ? Float32Array.from(d.clip_low) : undefined,
    clipHighThreshold: perTokenClip && d.clip_high ? Float32Array.from(d.clip_high) : undefined,
  };
}

// Worst errors seen, printed with CRUCIBLE_PARITY_REPORT=1 (for the README's parity numbers).
const worst: Record<string, number> = {};
function track(kind: string, e: number): number {
  worst[kind] = Math.max(worst[kind] ?? 0, e);
  return e;
}
afterAll(() => {
  if (process.env.CRUCIBLE_PARITY_REPORT) console.log("parity worst errors", worst);
});

/** max |a-b| / max(|b|) over a tensor (relative to its scale). */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return err / Math.max(scale, 1e-12);
}

/** max over elements of |a-b| / (|b| + 1e-6). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)) / (Math.abs(b[i] as number) + 1e-6));
  }
  return err;
}

const engine = createEngine({ modelsDir: mkdtempSync(join(os.tmpdir(), "crucible-models-")) });

// Second pass with the head split into chunks of 4 rows (the fixtures' 15 tokens otherwise fit one chunk): the
// chunked log_softmax must agree with PyTorch's unchunked reference, gradients included.
describe.each([
  ["llama", ""],
  ["qwen3", ""],
  ["llama", "4"],
  ["qwen3", "4"],
])("PyTorch parity: tiny random %s, head chunk rows '%s'", (arch, chunkRows) => {
  beforeAll(() => {
    if (chunkRows) process.env.CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS = chunkRows;
  });
  afterAll(() => {
    delete process.env.CRUCIBLE_ENGINE_HEAD_CHUNK_ROWS;
  });
  const dir = join(FIXTURES, arch);
  const fx = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as Fixture;
  const expected = new Map(
    readSafetensors(join(dir, "expected.safetensors")).tensors.map((t) => [t.name, toFloat32(t)]),
  );
  const lora = { rank: fx.rank, seed: 0, trainAttn: true, trainMlp: true, trainUnembed: true };

  it.each(fx.cases.map((c) => [c.name, c] as const))(
    "%s: logprobs, loss, LoRA grads (and AdamW)",
    async (_, c) => {
      const trainer = (await engine.createTrainer(join(dir, "model"), lora)) as LocalTrainer;
      await trainer.loadState(join(dir, "adapter"), { optimizer: false });
      const batch =
        c.name === "cross_entropy_topk"
          ? [toDatum(fx.topk_datum, false)]
          : fx.datums.map((d) => toDatum(d, c.name === "ppo_per_token"));
      const out = await trainer.forward(batch, {
        lossFn: c.loss_fn,
        lossFnConfig: c.loss_fn_config,
        backward: true,
      });
      c.logprobs.forEach((lp, i) => {
        expect(
          track("logprobs (elementwise relative)", relError(out.logprobs[i] as Float32Array, lp)),
        ).toBeLessThan(1e-5);
        expect(
          track(
            "elementwise_loss (scaled)",
            scaledError(out.elementwiseLoss[i] as Float32Array, c.elementwise_loss[i] as number[]),
          ),
        ).toBeLessThan(1e-5);
      });
      expect(
        track("loss sum (relative)", Math.abs(out.lossSum - c.loss_sum) / Math.abs(c.loss_sum)),
      ).toBeLessThan(1e-5);
      for (const g of trainer.tensors("grads")) {
        const want = expected.get(`${c.name}/grad/${g.name}`);
        expect(want, g.name).toBeDefined();
        expect(track("LoRA grads (scaled)", scaledError(g.data, want as Float32Array)), g.name).toBeLessThan(
          1e-4,
        );
      }
      if (c.name === "cross_entropy") {
        const a = fx.adam;
        const m = await trainer.optimStep({
          learningRate: a.learning_rate as number,
          beta1: a.beta1 as number,
          beta2: a.beta2 as number,
          eps: a.eps as number,
          weightDecay: a.weight_decay as number,
          gradClipNorm: a.grad_clip_norm as number,
        });
        expect(
          Math.abs((m["grad_norm:mean"] as number) - (c.grad_norm as number)) / (c.grad_norm as number),
        ).toBeLessThan(1e-5);
        for (const p of trainer.tensors("params")) {
          const want = expected.get(`adamw/param/${p.name}`) as Float32Array;
          expect(track("AdamW updated params (scaled)", scaledError(p.data, want)), p.name).toBeLessThan(
            1e-4,
          );
        }
      }
      trainer.dispose();
    },
  );
});
