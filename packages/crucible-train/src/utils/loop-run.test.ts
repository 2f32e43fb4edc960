import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../errors.js";
import { loopTotalSteps, walkLoop } from "./loop-run.js";

describe("loopTotalSteps", () => {
  it("is every batch of every epoch, capped by maxSteps", () => {
    expect(loopTotalSteps(5, 3, null)).toBe(15);
    expect(loopTotalSteps(5, 3, 7)).toBe(7);
    expect(loopTotalSteps(5, 3, 99)).toBe(15);
  });
  it("rejects an empty training set as a config error naming batch_size", () => {
    expect(() => loopTotalSteps(0, 1, null)).toThrow(ConfigurationError);
    expect(() => loopTotalSteps(0, 1, null)).toThrow(/batch_size/);
  });
});

describe("walkLoop", () => {
  it("runs each step once from the resume point, and returns the position a final checkpoint resumes at", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
        fc.nat(30),
        async (nBatches, numEpochs, maxSteps, resumeAt) => {
          const totalSteps = loopTotalSteps(nBatches, numEpochs, maxSteps);
          const start = Math.min(resumeAt, totalSteps);
          const epochs: number[] = [];
          const seen: [number, number, number][] = [];
          const end = await walkLoop(
            {
              startEpoch: Math.floor(start / nBatches),
              startBatch: start % nBatches,
              nBatches,
              numEpochs,
              totalSteps,
              setEpoch: (e) => epochs.push(e),
            },
            async (epoch, batch, step) => {
              seen.push([epoch, batch, step]);
            },
          );
          expect(seen.map(([, , s]) => s)).toEqual(
            Array.from({ length: totalSteps - start }, (_, i) => start + i),
          );
          for (const [epoch, batch, step] of seen) expect(epoch * nBatches + batch).toBe(step);
          // Resuming from the returned position runs nothing more.
          expect(end.epoch * nBatches + end.batch).toBe(totalSteps);
          expect(new Set(epochs).size).toBe(epochs.length);
        },
      ),
    );
  });
});
