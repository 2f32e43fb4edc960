export { type BitSource, boundedLemire32, randomInterval, shuffleInPlace } from "./bounded.js";
export { defaultRng, Generator, permutation } from "./generator.js";
export { MT19937, RandomState } from "./mt19937.js";
export { PCG64 } from "./pcg64.js";
export { PyRandom } from "./py-random.js";
export { intToUint32Words, SeedSequence } from "./seed-sequence.js";
