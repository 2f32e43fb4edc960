import type { LossFnType, ResolvedAdamParams, ResolvedLoraConfig } from "@crucible/tinker-client";
import type { DeviceWork } from "./memory.js";

/**
 * The contract between the numeric engine (libtorch addon + its TS wrapper) and the protocol server.
 * The server decodes wire requests into these shapes; the engine never sees JSON or protobuf.
 */

/** What the engine knows about a loadable base model (built-in tiny model or a local HF directory). */
export interface BaseModelInfo {
  /** Name as clients pass it (`crucible/tiny-qwen3`, or a local directory path). */
  name: string;
  /** `model_type` of the (text) model: llama, qwen2, qwen3, … */
  architecture: string;
  vocabSize: number;
  contextLength: number;
  numParameters: number;
  /** Hugging Face tokenizer id or local path the tokenizer was loaded from. */
  tokenizerId: string;
  eosTokenIds: number[];
}

/** One datum, decoded. Position i of `inputTokens` predicts row i of `targetTokens`. */
export interface EngineDatum {
  inputTokens: Int32Array; // N
  /** N×K row-major; K = 1 except for top-K cross-entropy. */
  targetTokens: Int32Array;
  k: number;
  weights?: Float32Array; // N×K (cross_entropy)
  advantages?: Float32Array; // N (RL losses)
  samplerLogprobs?: Float32Array; // N (RL losses: q_t)
  /** Per-token clip thresholds, overriding loss_fn_config when given (ppo/cispo). */
  clipLowThreshold?: Float32Array;
  clipHighThreshold?: Float32Array;
}

export interface ForwardResult {
  /** Per datum, N×K learner logprobs of the targets. */
  logprobs: Float32Array[];
  /** Per datum, N×K per-token loss terms (their total is `lossSum`). */
  elementwiseLoss: Float32Array[];
  /** SUM over all tokens of all datums (spec §4). */
  lossSum: number;
}

export interface ForwardOptions {
  lossFn: LossFnType;
  /** e.g. clip_low_threshold, clip_high_threshold, beta. */
  lossFnConfig?: Record<string, number>;
  /** false = forward only (no gradient accumulation). */
  backward: boolean;
}

/** A LoRA-adapted trainable model. Calls on one trainer must be awaited in order by the caller. */
export interface Trainer {
  readonly base: BaseModelInfo;
  readonly lora: ResolvedLoraConfig;
  /**
   * Accumulates gradients when `backward` is true. `lossFnConfig` keys: ppo/cispo `clip_low_threshold`,
   * `clip_high_threshold` (defaults 0.8/1.2 and 0/4), dro `beta` (default 0.05); other keys are rejected.
   */
  forward(batch: EngineDatum[], options: ForwardOptions): Promise<ForwardResult>;
  /** AdamW step then zero grads. Returns metrics (e.g. `grad_norm:mean`, `learning_rate:mean`). */
  optimStep(params: ResolvedAdamParams): Promise<Record<string, number>>;
  /** Writes adapter weights (+ optimizer state when asked) into `dir`, atomically. */
  saveState(dir: string, options: { optimizer: boolean }): Promise<void>;
  loadState(dir: string, options: { optimizer: boolean }): Promise<void>;
  /** Writes a PEFT-style adapter (`adapter_model.safetensors` + `adapter_config.json`) into `dir`. */
  saveSamplerWeights(dir: string): Promise<void>;
  dispose(): void;
}

/**
 * `temperature` 0 = greedy (logprobs then of the untempered distribution). Sampled logprobs are of
 * softmax(logits/τ) before top-k/top-p truncation; prompt logprobs are always at τ = 1. Sequences also stop at the
 * model's EOS token ids (`BaseModelInfo.eosTokenIds`), which are kept in `tokens`. `seed` absent = random.
 */
export interface SampleRequest {
  prompt: Int32Array;
  numSamples: number;
  maxTokens: number;
  temperature: number;
  topK: number; // -1 = no limit
  topP: number; // 1 = no limit
  seed?: number;
  stopTokenIds: number[];
  stopStrings: string[];
  includePromptLogprobs: boolean;
  topkPromptLogprobs: number; // 0 = none
}

export interface EngineSampledSequence {
  tokens: number[]; // includes the stop token / the tokens completing a stop string
  logprobs: number[]; // temperature-scaled logprobs of each sampled token
  stopReason: "stop" | "length";
}

export interface SampleResult {
  sequences: EngineSampledSequence[];
  /** Length = prompt length; null at position 0. */
  promptLogprobs?: (number | null)[];
  topkPromptLogprobs?: ([number, number][] | null)[];
}

/** A frozen model (base, optionally with a LoRA adapter) used for sampling and logprob scoring. */
export interface Sampler {
  readonly base: BaseModelInfo;
  sample(request: SampleRequest): Promise<SampleResult>;
  dispose(): void;
}

/**
 * Errors: bad requests (token out of vocabulary, context too long, shape mismatch, missing or unknown loss input or
 * config key, unknown model directory, incompatible checkpoint) throw errors carrying `category: "user"`
 * (`LossInputError`, `ModelLoadError`, `ModelConfigError`, `CheckpointError`, `SafetensorsError`) whose message names
 * the field; anything else is a server fault. A failed call leaves the trainer usable. A missing libtorch/addon
 * makes `createEngine()` throw `EngineUnavailableError`, whose message has the install command.
 */
export interface Engine {
  /** Where it computes: "cpu" or "cuda:N". */
  readonly device?: string;
  /**
   * Throws `CapacityError` (the server answers 429 with its message) when the work would not fit the device's
   * available memory now; a no-op on the CPU.
   */
  admit?(baseModel: string, work: DeviceWork): void;
  /** Built-in names (`crucible/tiny-qwen3`, …) or a local HF directory. Cached after first load. */
  loadBaseModel(name: string): Promise<BaseModelInfo>;
  listBuiltinModels(): string[];
  createTrainer(baseModel: string, lora: ResolvedLoraConfig): Promise<Trainer>;
  /** `adapterDir` from `saveSamplerWeights`/`saveState`, or none for the base model. */
  createSampler(baseModel: string, adapterDir?: string): Promise<Sampler>;
  /** Text decoding for stop strings (from the model's tokenizer). */
  decode(baseModel: string, tokens: number[]): string;
  close(): Promise<void>;
}
