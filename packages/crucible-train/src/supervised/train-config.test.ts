import { describe, expect, it } from "vitest";
import { DpoTrainConfigSchema } from "../preference/train-dpo.js";
import { SupervisedTrainConfigSchema } from "./train.js";

describe("loop configs carry the cookbook defaults", () => {
  it("SL train.Config (§A6)", () => {
    const c = SupervisedTrainConfigSchema.parse({ logPath: "/tmp/x", modelName: "m" });
    expect(c).toMatchObject({
      loadCheckpointPath: null,
      rendererName: null,
      learningRate: 1e-4,
      lrSchedule: "linear",
      numEpochs: 1,
      loraRank: 32,
      saveEvery: 20,
      saveEveryTokens: 0,
      saveEverySeconds: 0,
      evalEvery: 10,
      infrequentEvalEvery: 100,
      ttlSeconds: 604800,
      rollingSaveEvery: 0,
      rollingTtlSeconds: 7200,
      asyncPeriodicSaves: false,
      adamBeta1: 0.9,
      adamBeta2: 0.95,
      adamEps: 1e-8,
      maxSteps: null,
      submitAhead: 1,
    });
    expect(() =>
      SupervisedTrainConfigSchema.parse({ logPath: "/tmp/x", modelName: "m", lrSchedule: "warmup" }),
    ).toThrow(/lrSchedule/);
  });
  it("DPO train_dpo.Config (§A18)", () => {
    const c = DpoTrainConfigSchema.parse({ logPath: "/tmp/x", modelName: "m" });
    expect(c).toMatchObject({
      learningRate: 1e-5,
      dpoBeta: 0.1,
      numReplicas: 8,
      saveEvery: 20,
      evalEvery: 10,
      referenceModelName: null,
    });
  });
  it("SL and DPO share their common fields' defaults (learning rate aside)", () => {
    const sl = SupervisedTrainConfigSchema.parse({ logPath: "/tmp/x", modelName: "m" }) as Record<
      string,
      unknown
    >;
    const dpo = DpoTrainConfigSchema.parse({ logPath: "/tmp/x", modelName: "m" }) as Record<string, unknown>;
    const common = Object.keys(dpo).filter((k) => k in sl && k !== "learningRate");
    expect(common.length).toBeGreaterThan(20);
    for (const k of common) expect(dpo[k], k).toEqual(sl[k]);
  });
});
