// Gradient clipping in the engine's AdamW step: scale = min(1, clip / (norm + 1e-6)).
// Adam is almost invariant to a uniform gradient scale (m / sqrt(v)), so these tests use eps = 1, where the
// update does depend on the scale: a clip that wrongly scaled gradients up (no min with 1) shows.
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import type { EngineDatum } from "./types.js";

const engine = createEngine({ modelsDir: join(os.tmpdir(), "crucible-models-test") });
const MODEL = "crucible/tiny-bytes";
const LORA = { rank: 4, seed: 5, trainAttn: true, trainMlp: true, trainUnembed: true };
const ADAM = { learningRate: 5e-2, beta1: 0.9, beta2: 0.95, eps: 1, weightDecay: 0, gradClipNorm: 0 };

function datum(weight: number): EngineDatum {
  const toks = Int32Array.from({ length: 13 }, (_, i) => (i * 37 + 11) % 250);
  return {
    inputTokens: toks.slice(0, 12),
    targetTokens: toks.slice(1),
    k: 1,
    weights: new Float32Array(12).fill(weight),
  };
}

/** One step at `gradClipNorm` on cross-entropy with every weight `weight`; returns the grad norm and the logprobs after. */
async function stepThenLogprobs(
  gradClipNorm: number,
  weight = 1,
): Promise<{ norm: number; after: number[] }> {
  const tr = await engine.createTrainer(MODEL, LORA);
  await tr.forward([datum(weight)], { lossFn: "cross_entropy", backward: true });
  const out = await tr.optimStep({ ...ADAM, gradClipNorm });
  const after = await tr.forward([datum(1)], { lossFn: "cross_entropy", backward: false });
  return { norm: out["grad_norm:mean"] as number, after: Array.from(after.logprobs[0] as Float32Array) };
}

describe("engine: gradient clipping", () => {
  it("leaves gradients whose norm is below the threshold unchanged, and clips those above it", async () => {
    const plain = await stepThenLogprobs(0);
    expect(plain.norm).toBeGreaterThan(0);
    // Below the threshold: the same step as no clipping at all.
    const below = await stepThenLogprobs(plain.norm * 4);
    expect(below.norm).toBeCloseTo(plain.norm, 4);
    expect(below.after).toEqual(plain.after);
    // Above it: gradients scaled to half, which is the step of a loss with half the weights and no clipping.
    const clipped = await stepThenLogprobs(plain.norm / 2);
    const halfLoss = await stepThenLogprobs(0, 0.5);
    for (let i = 0; i < plain.after.length; i++) {
      expect(clipped.after[i]).toBeCloseTo(halfLoss.after[i] as number, 4);
    }
    // And that step differs from the unclipped one, so the comparison above can fail.
    const moved = plain.after.map((v, i) => Math.abs(v - (clipped.after[i] as number)));
    expect(Math.max(...moved)).toBeGreaterThan(1e-3);
  });
});
