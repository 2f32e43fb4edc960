import { MT19937 } from "./mt19937.js";
import { intToUint32Words } from "./seed-sequence.js";

/**
 * The parts of CPython's `random.Random(seed)` the cookbook's recipes use (`getrandbits`, `randrange`, `shuffle`,
 * `sample`), draw for draw, so splits made with `random.Random(0)` in Python come out the same here.
 */
export class PyRandom {
  private readonly mt: MT19937;

  constructor(seed: number | bigint) {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
      throw new RangeError(`PyRandom: seed must be an integer, got ${seed}`);
    }
    // CPython seeds with the absolute value's 32-bit words.
    const big = BigInt(seed);
    this.mt = MT19937.fromKey(intToUint32Words(big < 0n ? -big : big));
  }

  /** `getrandbits(k)` for 1 ≤ k ≤ 32. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 1 || k > 32)
      throw new RangeError(`getrandbits: k must be in [1, 32], got ${k}`);
    return this.mt.next32() >>> (32 - k);
  }

  /** `_randbelow(n)`: uniform in [0, n) by rejection on `n.bit_length()` bits. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff)
      throw new RangeError(`randbelow: n must be in [1, 2^32 - 1], got ${n}`);
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random()`: a 53-bit double in [0, 1) from two 32-bit draws (`genrand_res53`). */
  random(): number {
    const a = this.mt.next32() >>> 5;
    const b = this.mt.next32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `randrange(n)`. */
  randrange(n: number): number {
    return this.randbelow(n);
  }

  /** `shuffle(xs)` in place (Fisher–Yates from the end). */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = xs[i] as T;
      xs[i] = xs[j] as T;
      xs[j] = t;
    }
    return xs;
  }

  /** `sample(population, k)`: CPython's pool method for small populations, its set method otherwise. */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n)
      throw new RangeError(`sample: k must be in [0, ${n}], got ${k}`);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    const out: T[] = [];
    if (n <= setsize) {
      const pool = [...population];
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        out.push(pool[j] as T);
        pool[j] = pool[n - i - 1] as T;
      }
      return out;
    }
    const selected = new Set<number>();
    for (let i = 0; i < k; i++) {
      let j = this.randbelow(n);
      while (selected.has(j)) j = this.randbelow(n);
      selected.add(j);
      out.push(population[j] as T);
    }
    return out;
  }
}
