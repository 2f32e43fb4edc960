// biome-ignore-all assist/source/organizeImports: exports are grouped by area, not sorted
// Public API of @crucible/env.

// --- numpy-compatible randomness (SeedSequence/PCG64, MT19937 RandomState)
export * from "./random/index.js";

// --- RL protocol types
export * from "./types.js";
export type { LogprobScorer, SampleRequest, SamplingClientLike } from "./sampling.js";
export type { EnvMessage, EnvRenderer } from "./renderer.js";

// --- environments
export * from "./problem-env.js";
export * from "./message-env.js";
export * from "./rollout-limits.js";

// --- policies and rollouts
export * from "./completers.js";
export * from "./rollouts.js";

// --- advantages, datums, KL and metrics
export * from "./advantages.js";
export * from "./data-processing.js";
export * from "./kl.js";
export * from "./metrics.js";

// --- built-in envs and their datasets
export * from "./envs/arithmetic.js";
export * from "./envs/math.js";
export * from "./envs/polaris-deepmath.js";
export * from "./envs/prompt-only.js";
export * from "./envs/guess-number.js";
export * from "./envs/twenty-questions.js";
export * from "./envs/twenty-questions-words.js";
export * from "./envs/search-index.js";
export * from "./envs/search-tool.js";
export * from "./envs/search-corpus.js";
export * from "./envs/search-env.js";
export * from "./envs/search-data.js";

// --- dataset rows from local files or the Hugging Face cache
export * from "./data/rows.js";
