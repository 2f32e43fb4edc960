import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admit, CapacityError, estimateDeviceBytes } from "./memory.js";
import type { NativeModelConfig } from "./native.js";

// Qwen3-8B's shape (config.json of Qwen/Qwen3-8B).
const qwen3_8b: NativeModelConfig = {
  kind: "dense",
  hidden: 4096,
  layers: 36,
  heads: 32,
  kvHeads: 8,
  headDim: 128,
  intermediate: 12288,
  vocab: 151936,
  maxPositions: 40960,
  rmsNormEps: 1e-6,
  qkNorm: true,
  tied: false,
  qkvBias: false,
  oBias: false,
  invFreq: new Float32Array(64),
  ropeTheta: 1e6,
  ropeAttentionScaling: 1,
  ropeDynamicFactor: 0,
};
const GiB = 2 ** 30;

describe("device memory admission", () => {
  it("estimates a Qwen3-8B training batch near eager PyTorch's measured activations", () => {
    // Issue 20: PyTorch peaks at 94.5 GB for 8 × 1024 tokens, of which ~16.4 GB are the bf16 weights.
    const need = estimateDeviceBytes(qwen3_8b, { kind: "train", tokens: 8 * 1024, backward: true }) / GiB;
    expect(need).toBeGreaterThan(60);
    expect(need).toBeLessThan(90);
    const fwd = estimateDeviceBytes(qwen3_8b, { kind: "train", tokens: 8 * 1024, backward: false }) / GiB;
    expect(fwd).toBeLessThan(need / 2);
  });

  it("grows with the work asked for", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 4096 }), (rows, tokens) => {
        const s = (r: number, t: number) =>
          estimateDeviceBytes(qwen3_8b, {
            kind: "sample",
            rows: r,
            promptTokens: 16,
            maxTokens: t,
            promptLogprobs: false,
          });
        const t = (n: number) => estimateDeviceBytes(qwen3_8b, { kind: "train", tokens: n, backward: true });
        return (
          s(rows + 1, tokens) > s(rows, tokens) &&
          s(rows, tokens + 1) > s(rows, tokens) &&
          t(tokens + 1) > t(tokens)
        );
      }),
    );
  });

  it("refuses with the numbers and the fix when the device has too little available", () => {
    expect(() => admit("cuda:0", 10 * GiB, 20 * 1024, "a batch")).not.toThrow();
    expect(() => admit("cuda:0", 30 * GiB, 20 * 1024, "a batch of 8192 tokens")).toThrow(CapacityError);
    expect(() => admit("cuda:0", 30 * GiB, 20 * 1024, "a batch of 8192 tokens")).toThrow(
      /a batch of 8192 tokens needs about 30\.0 GiB on cuda:0, which has 20\.0 GiB available now; retry later, or send fewer tokens/,
    );
  });
});
