// The join policy of continuous batching: the row bound, and on a GPU admission of the merged work.
import { describe, expect, it } from "vitest";
import type { DeviceWork } from "../engine/memory.js";
import { admit, estimateDeviceBytes } from "../engine/memory.js";
import type { NativeModelConfig } from "../engine/native.js";
import { joinPolicy } from "./admission.js";
import type { JoinSpec } from "./scheduler.js";

// Qwen3-0.6B's shape
const cfg: NativeModelConfig = {
  kind: "dense",
  hidden: 1024,
  layers: 28,
  heads: 16,
  kvHeads: 8,
  headDim: 128,
  intermediate: 3072,
  vocab: 151936,
  maxPositions: 40960,
  rmsNormEps: 1e-6,
  qkNorm: true,
  tied: true,
  qkvBias: false,
  oBias: false,
  invFreq: new Float32Array(64),
  ropeTheta: 1e6,
  ropeAttentionScaling: 1,
  ropeDynamicFactor: 0,
};
const work = (rows: number): JoinSpec => ({
  baseModel: "qwen3-0.6b",
  rows,
  promptTokens: 512,
  maxTokens: 1024,
  promptLogprobs: false,
});
/** A device with `availableMB` free, judged by the engine's own estimate (LocalEngine.admit does the same). */
const device = (availableMB: number) => ({
  device: "cuda:0",
  admit: (_base: string, w: DeviceWork) =>
    admit("cuda:0", estimateDeviceBytes(cfg, w), availableMB, "sampling"),
});
const MB = 2 ** 20;

describe("joinPolicy", () => {
  it("bounds the merged rows by maxBatchRows (CPU: no memory check)", () => {
    const p = joinPolicy({ device: "cpu" }, { maxBatchRows: 16 });
    expect(p([work(4), work(8)], work(4))).toBe(true);
    expect(p([work(4), work(8)], work(5))).toBe(false);
  });

  it("on a GPU refuses a join whose merged work would not fit, though the request alone fits", () => {
    const one = estimateDeviceBytes(cfg, { kind: "sample", ...work(32) }) / MB;
    const p = joinPolicy(device(1.5 * one), { maxBatchRows: 1024 });
    expect(p([], work(32))).toBe(true);
    expect(p([work(32)], work(32))).toBe(false); // 64 rows' KV caches do not fit
    expect(p([work(8)], work(8))).toBe(true);
  });

  it("other admission errors are not swallowed", () => {
    const p = joinPolicy(
      {
        device: "cuda:0",
        admit: () => {
          throw new Error("driver gone");
        },
      },
      { maxBatchRows: 64 },
    );
    expect(() => p([work(1)], work(1))).toThrow("driver gone");
  });
});
