import { boundedMasked, shuffleInPlace } from "./bounded.js";

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** The MT19937 bit generator as numpy's legacy `RandomState` seeds it from an int (`init_genrand`). */
export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`MT19937: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] as number;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
  }

  /**
   * MT19937 seeded as CPython's `random.Random(seed)` seeds it: `init_by_array` over the seed's 32-bit words
   * (least significant first; `[0]` for seed 0).
   */
  static fromKey(key: readonly number[]): MT19937 {
    const g = new MT19937(19650218);
    const mt = g.mt;
    const len = Math.max(key.length, 1);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] =
        ((((mt[i] as number) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1664525)) >>> 0) +
          (key[j] ?? 0) +
          j) >>>
        0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = ((((mt[i] as number) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1566083941)) >>> 0) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    g.index = N;
    return g;
  }

  private generate(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = ((mt[k] as number) & UPPER) | ((mt[(k + 1) % N] as number) & LOWER);
      mt[k] = ((mt[(k + M) % N] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    this.index = 0;
  }

  /** `genrand_int32`. */
  next32(): number {
    if (this.index >= N) this.generate();
    let y = this.mt[this.index++] as number;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    return (y ^ (y >>> 18)) >>> 0;
  }

  /** numpy `mt19937_next64`: high word first. */
  next64(): bigint {
    const hi = BigInt(this.next32());
    return (hi << 32n) | BigInt(this.next32());
  }
}

/** The parts of numpy's legacy `np.random.RandomState(seed)` that the cookbook uses. */
export class RandomState {
  readonly bitGenerator: MT19937;

  constructor(seed: number) {
    this.bitGenerator = new MT19937(seed);
  }

  /** `randint(low, high)`: integer in [low, high) by masked rejection; `randint(high)` means [0, high). */
  randint(low: number, high?: number): number {
    const lo = high === undefined ? 0 : low;
    const hi = high === undefined ? low : high;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi <= lo) {
      throw new RangeError(`randint: need integers low < high, got low=${lo} high=${hi}`);
    }
    return lo + boundedMasked(this.bitGenerator, hi - 1 - lo);
  }

  /** `randint(low, high, size)`: `size` successive draws. */
  randintArray(low: number, high: number, size: number): number[] {
    return Array.from({ length: size }, () => this.randint(low, high));
  }

  /** `random_sample()`: 53-bit double in [0, 1) from two 32-bit draws. */
  randomSample(): number {
    const a = this.bitGenerator.next32() >>> 5;
    const b = this.bitGenerator.next32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `permutation(n)` (legacy shuffle, same Fisher–Yates as Generator). */
  permutation(n: number): number[] {
    return shuffleInPlace(
      this.bitGenerator,
      Array.from({ length: n }, (_, i) => i),
    );
  }
}
