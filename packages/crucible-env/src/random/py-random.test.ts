// Reference values from CPython 3.11's `random` (/usr/bin/python3), see the expressions beside each case.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyRandom } from "./py-random.js";

describe("PyRandom (CPython random.Random parity)", () => {
  it("getrandbits: Random(0).getrandbits(32) x3, then getrandbits(5) x3", () => {
    const r = new PyRandom(0);
    expect([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)]).toEqual([
      3626764237, 1654615998, 3255389356,
    ]);
    expect([r.getrandbits(5), r.getrandbits(5), r.getrandbits(5)]).toEqual([28, 13, 1]);
  });
  it("multi-word seed: Random(12345678901) getrandbits(32) x3, randrange(10**6) x3", () => {
    const r = new PyRandom(12345678901n);
    expect([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)]).toEqual([
      4063089813, 2562312935, 1408749075,
    ]);
    expect([r.randrange(1e6), r.randrange(1e6), r.randrange(1e6)]).toEqual([910305, 402433, 371352]);
  });
  it("sample: pool method (Random(7).sample(range(100), 10)) and set method (Random(3).sample(range(10000), 8))", () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(new PyRandom(7).sample(range(100), 10)).toEqual([41, 19, 50, 83, 6, 9, 68, 12, 46, 74]);
    expect(new PyRandom(3).sample(range(10000), 8)).toEqual([3898, 9709, 8916, 2136, 6061, 9894, 7766, 9516]);
  });
  it("the guess_number split: Random(0).sample(range(1024), 1024)", () => {
    const s = new PyRandom(0).sample(
      Array.from({ length: 1024 }, (_, i) => i),
      1024,
    );
    expect(s.slice(0, 16)).toEqual([
      788, 776, 911, 430, 41, 265, 988, 523, 497, 414, 940, 802, 849, 310, 991, 488,
    ]);
    expect(s.slice(921, 937)).toEqual([
      924, 389, 81, 284, 710, 207, 35, 580, 742, 916, 592, 792, 152, 1016, 948, 88,
    ]);
  });
  it("shuffle with a negative seed uses |seed|: Random(-5).shuffle(list(range(12)))", () => {
    const xs = Array.from({ length: 12 }, (_, i) => i);
    expect(new PyRandom(-5).shuffle(xs)).toEqual([10, 2, 11, 7, 1, 3, 6, 0, 8, 5, 4, 9]);
  });
  it("random(): [Random(s).random() for _ in range(n)] for s = 0, 12345, 2**40 + 7", () => {
    const r0 = new PyRandom(0);
    expect(Array.from({ length: 5 }, () => r0.random())).toEqual([
      0.8444218515250481, 0.7579544029403025, 0.420571580830845, 0.25891675029296335, 0.5112747213686085,
    ]);
    const r1 = new PyRandom(12345);
    expect([r1.random(), r1.random(), r1.random()]).toEqual([
      0.41661987254534116, 0.010169169457068361, 0.8252065092537432,
    ]);
    const r2 = new PyRandom(2n ** 40n + 7n);
    expect([r2.random(), r2.random()]).toEqual([0.6137037779936511, 0.8149162973309487]);
  });
  it("property: sample(k) draws k distinct members; shuffle permutes", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 0, max: 300 }), fc.nat(300), (seed, n, kRaw) => {
        const pop = Array.from({ length: n }, (_, i) => i);
        const k = n === 0 ? 0 : kRaw % (n + 1);
        const s = new PyRandom(seed).sample(pop, k);
        expect(s.length).toBe(k);
        expect(new Set(s).size).toBe(k);
        expect([...new PyRandom(seed).shuffle([...pop])].sort((a, b) => a - b)).toEqual(pop);
      }),
      { numRuns: 100 },
    );
  });
});
