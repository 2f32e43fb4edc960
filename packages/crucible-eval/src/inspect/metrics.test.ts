import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accuracy, bootstrapCi, mean, stderr } from "./metrics.js";
import { scoreToFloat } from "./types.js";

describe("metrics", () => {
  it("accuracy, mean and stderr (ddof 1 over √n) on known values", () => {
    expect(accuracy().compute([1, 0, 1, 1])).toBe(0.75);
    expect(mean().compute([0.5, 1])).toBe(0.75);
    // numpy: np.std([1,0,1,0], ddof=1) / 2 = 0.28867513459481287
    expect(stderr().compute([1, 0, 1, 0])).toBeCloseTo(0.28867513459481287, 15);
    expect(stderr().compute([1])).toBe(0);
    expect(accuracy().compute([])).toBeNaN();
  });

  it("letters and booleans convert as Inspect's value_to_float", () => {
    expect(["C", "I", "P", "N", true, false, 0.25, "yes"].map((v) => scoreToFloat(v))).toEqual([
      1, 0, 0.5, 0, 1, 0, 0.25, 1,
    ]);
    expect(() => scoreToFloat("maybe")).toThrow(/not a number/);
  });

  it("bootstrap interval brackets the mean, is reproducible and narrows with more data", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 60 }), (xs) => {
        const [lo, hi] = bootstrapCi({ resamples: 200 });
        const m = mean().compute(xs);
        const l = lo.compute(xs);
        const h = hi.compute(xs);
        return l <= m + 1e-12 && m <= h + 1e-12 && l >= 0 && h <= 1 && l === lo.compute(xs);
      }),
      { numRuns: 50 },
    );
    const [lo, hi] = bootstrapCi();
    const small = [1, 0, 1, 0, 1, 0, 1, 0];
    const big = Array.from({ length: 400 }, (_, i) => i % 2);
    expect(hi.compute(big) - lo.compute(big)).toBeLessThan(hi.compute(small) - lo.compute(small));
    // 95% normal-approximation width for p = 0.5, n = 400 is 2 × 1.96 × 0.025 = 0.098
    expect(hi.compute(big) - lo.compute(big)).toBeGreaterThan(0.07);
    expect(hi.compute(big) - lo.compute(big)).toBeLessThan(0.13);
  });
});
