import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../errors.js";
import { type RLConfig, resolveRLConfig } from "./config.js";
import { ArrivalQueue } from "./stream-minibatch.js";
import { streamMinibatchPlan } from "./stream-minibatch-plan.js";

describe("streamMinibatchPlan (cookbook divisibility rules)", () => {
  it("splits a batch into substeps and minibatches", () => {
    expect(streamMinibatchPlan({ groupsPerBatch: 8, numMinibatches: 2 }, 1)).toEqual({
      groupsPerSubstep: 8,
      groupsPerMinibatch: 4,
    });
    expect(streamMinibatchPlan({ groupsPerBatch: 12, numMinibatches: 3 }, 2)).toEqual({
      groupsPerSubstep: 6,
      groupsPerMinibatch: 2,
    });
  });

  it("every valid plan covers the batch exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (s, m, k) => {
          const plan = streamMinibatchPlan({ groupsPerBatch: s * m * k, numMinibatches: m }, s);
          expect(plan.groupsPerMinibatch * m * s).toBe(s * m * k);
          expect(plan.groupsPerSubstep).toBe(m * k);
        },
      ),
    );
  });

  it("rejects batches that do not divide, naming the fields", () => {
    expect(() => streamMinibatchPlan({ groupsPerBatch: 6, numMinibatches: 2 }, 4)).toThrow(
      /groupsPerBatch \(6\) must be divisible by numSubsteps \(4\)/,
    );
    expect(() => streamMinibatchPlan({ groupsPerBatch: 6, numMinibatches: 4 }, 1)).toThrow(
      /\(6\) must be divisible by streamMinibatchConfig.numMinibatches \(4\)/,
    );
    expect(() => streamMinibatchPlan({ groupsPerBatch: 0, numMinibatches: 1 }, 1)).toThrow(
      ConfigurationError,
    );
    expect(() => streamMinibatchPlan({ groupsPerBatch: 4, numMinibatches: 1.5 }, 1)).toThrow(
      /numMinibatches must be a positive integer/,
    );
  });

  it("resolveRLConfig validates it and refuses combining it with async mode", () => {
    const base = {
      modelName: "m",
      learningRate: 1e-4,
      maxTokens: 4,
      logPath: "/tmp/x",
    } as unknown as RLConfig;
    expect(() =>
      resolveRLConfig({
        ...base,
        numSubsteps: 3,
        streamMinibatchConfig: { groupsPerBatch: 4, numMinibatches: 1 },
      }),
    ).toThrow(/divisible by numSubsteps/);
    expect(() =>
      resolveRLConfig({
        ...base,
        streamMinibatchConfig: { groupsPerBatch: 4, numMinibatches: 2 },
        asyncConfig: { maxStepsOffPolicy: 1, groupsPerBatch: 4 },
      }),
    ).toThrow(/cannot be combined/);
    expect(
      resolveRLConfig({ ...base, streamMinibatchConfig: { groupsPerBatch: 4, numMinibatches: 2 } })
        .streamMinibatchConfig,
    ).toEqual({ groupsPerBatch: 4, numMinibatches: 2 });
  });
});

describe("ArrivalQueue", () => {
  it("yields items in arrival order, then done once every producer delivered", async () => {
    const q = new ArrivalQueue<number | null>(3);
    const first = q.next();
    q.put(7);
    expect(await first).toEqual({ done: false, value: 7 });
    q.put(null);
    q.put(9);
    expect(await q.next()).toEqual({ done: false, value: null });
    expect(await q.next()).toEqual({ done: false, value: 9 });
    expect(await q.next()).toEqual({ done: true, value: undefined });
  });

  it("rejects a waiting consumer with the first producer failure", async () => {
    const q = new ArrivalQueue<number>(2);
    const waiting = q.next();
    q.fail(new Error("rollout failed"));
    q.fail(new Error("second"));
    await expect(waiting).rejects.toThrow("rollout failed");
    await expect(q.next()).rejects.toThrow("rollout failed");
  });
});
