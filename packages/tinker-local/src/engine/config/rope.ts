import { type ConfigReader, type Json, ModelConfigError, showConfigValue as show } from "./reader.js";

/**
 * RoPE as the engine runs it, read the way Hugging Face `transformers` reads it (`modeling_rope_utils`): from
 * `rope_parameters` (current spelling) or `rope_scaling` + top-level `rope_theta` (older spelling).
 */
export interface RopeSpec {
  type: RopeType;
  theta: number;
  /** Leading dims of each head that are rotated (`head_dim · partial_rotary_factor`); the rest pass through. */
  rotaryDim: number;
  /** rotaryDim/2 inverse frequencies, scaling applied (for `dynamic`: those of sequences ≤ max_position_embeddings). */
  invFreq: Float32Array;
  /** Multiplies cos and sin (YaRN's attention factor), 1 otherwise. */
  attentionScaling: number;
  /** `dynamic` NTK: the factor with which the engine recomputes frequencies past max_position_embeddings; 0 = off. */
  dynamicFactor: number;
  /** The longest sequence the model may run: max_position_embeddings, times the factor for `dynamic`. */
  contextLength: number;
}

export const ROPE_TYPES = ["default", "linear", "dynamic", "yarn", "llama3"] as const;
export type RopeType = (typeof ROPE_TYPES)[number];

/** Keys each rope type reads from its parameters dict (besides rope_type/type, rope_theta, partial_rotary_factor). */
const TYPE_KEYS: Record<RopeType, string[]> = {
  default: [],
  linear: ["factor"],
  dynamic: ["factor"],
  yarn: [
    "factor",
    "original_max_position_embeddings",
    "attention_factor",
    "beta_fast",
    "beta_slow",
    "mscale",
    "mscale_all_dim",
    "truncate",
  ],
  llama3: ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"],
};

export interface RopeOptions {
  headDim: number;
  maxPositions: number;
  /** The family's default `rope_theta` when the config names none (10000 for Llama and Qwen). */
  defaultTheta: number;
  /** Layer types that have no RoPE and may carry no parameters (per-layer-type `rope_parameters`). */
  ropelessLayerTypes?: string[];
  /** The family's `partial_rotary_factor` when the config names none (1; Qwen3.5: 0.25). */
  defaultPartialRotaryFactor?: number;
  /** Parameter keys the family understands and that leave its text computation unchanged (Qwen3.5's mrope_*). */
  inertParams?: string[];
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One value that may be spelled in two places; both present and different is an error, not a choice. */
function pick(
  c: ConfigReader,
  params: Json,
  where: string,
  key: string,
): { value: unknown; from: string } | undefined {
  const inParams = params[key];
  const top = c.raw(key);
  if (inParams !== undefined && inParams !== null && top !== undefined && top !== null && inParams !== top) {
    c.fail(key, `${show(top)} contradicts ${where}.${key} = ${show(inParams)}; keep one`);
  }
  if (inParams !== undefined && inParams !== null) return { value: inParams, from: `${where}.${key}` };
  if (top !== undefined && top !== null) return { value: top, from: `${c.prefix}${key}` };
  return undefined;
}

/** HF's `_compute_default_rope_parameters`: 1 / theta^(2i/dim), exponent in float32. */
export function defaultInvFreq(dim: number, theta: number): Float32Array {
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = 1 / theta ** Math.fround((2 * i) / dim);
  return inv;
}

/** Reads the RoPE of a decoder config (`c` is the text config); every key it reads is marked understood. */
export function readRope(c: ConfigReader, o: RopeOptions): RopeSpec {
  const where = `${c.prefix}${c.has("rope_scaling") ? "rope_scaling" : "rope_parameters"}`;
  const scaling = c.raw("rope_scaling");
  let params = c.raw("rope_parameters");
  if (scaling !== undefined && scaling !== null) {
    if (!isObject(scaling)) c.fail("rope_scaling", `expected an object, got ${show(scaling)}`);
    if (params !== undefined && params !== null && !sameJson(params, scaling)) {
      // Current transformers reads rope_scaling first; which one the author meant is not ours to guess.
      c.fail("rope_scaling", `${show(scaling)} contradicts rope_parameters = ${show(params)}; keep one`);
    }
    params = scaling;
  }
  if (params === undefined || params === null) params = {};
  if (!isObject(params)) c.fail("rope_parameters", `expected an object, got ${show(params)}`);
  params = perLayerType(params, where, o.ropelessLayerTypes ?? []);
  const p = params as Json;
  const pwhere = where + (p === params ? "" : ".full_attention");

  const rt = p.rope_type;
  const legacy = p.type;
  if (rt !== undefined && legacy !== undefined && rt !== legacy)
    throw new ModelConfigError(
      `${pwhere}.rope_type`,
      `${show(rt)} contradicts type = ${show(legacy)}; keep one`,
    );
  const type = (rt ?? legacy ?? "default") as string;
  if (!(ROPE_TYPES as readonly string[]).includes(type)) {
    throw new ModelConfigError(
      `${pwhere}.rope_type`,
      `${show(type)} is not supported (supported: ${ROPE_TYPES.join(", ")})`,
    );
  }
  const ropeType = type as RopeType;
  const allowed = new Set([
    "rope_type",
    "type",
    "rope_theta",
    "partial_rotary_factor",
    ...TYPE_KEYS[ropeType],
    ...(o.inertParams ?? []),
  ]);
  for (const [k, v] of Object.entries(p)) {
    if (!allowed.has(k))
      throw new ModelConfigError(
        `${pwhere}.${k}`,
        `${show(v)} is not understood for rope_type ${show(type)} (it reads: ${[...allowed].join(", ")})`,
      );
  }
  const numberAt = (value: unknown, from: string, min = 0): number => {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= min)
      throw new ModelConfigError(from, `expected a number > ${min}, got ${show(value)}`);
    return value;
  };
  const need = (key: string): number => {
    if (p[key] === undefined || p[key] === null)
      throw new ModelConfigError(`${pwhere}.${key}`, `required for rope_type ${show(type)}`);
    return numberAt(p[key], `${pwhere}.${key}`);
  };
  const opt = (key: string): number | undefined =>
    p[key] === undefined || p[key] === null ? undefined : numberAt(p[key], `${pwhere}.${key}`);

  const thetaAt = pick(c, p, pwhere, "rope_theta");
  const theta = thetaAt ? numberAt(thetaAt.value, thetaAt.from, 1) : o.defaultTheta;
  const prfAt = pick(c, p, pwhere, "partial_rotary_factor");
  const prf = prfAt ? numberAt(prfAt.value, prfAt.from) : (o.defaultPartialRotaryFactor ?? 1);
  if (prf > 1) throw new ModelConfigError(prfAt?.from ?? "partial_rotary_factor", `must be ≤ 1, got ${prf}`);
  // HF: dim = int(head_dim · partial_rotary_factor); rotate_half needs it even.
  const rotaryDim = Math.floor(o.headDim * prf);
  if (rotaryDim < 2 || rotaryDim % 2 !== 0) {
    throw new ModelConfigError(
      prfAt?.from ?? "head_dim",
      `head_dim ${o.headDim} × partial_rotary_factor ${prf} = ${rotaryDim} rotary dims; must be even and ≥ 2`,
    );
  }
  // Phi3-style top-level original_max_position_embeddings takes priority in HF's standardisation.
  const origTop = c.has("original_max_position_embeddings")
    ? c.int("original_max_position_embeddings")
    : undefined;
  const origMax = (): number => {
    if (origTop !== undefined) return origTop;
    const v = opt("original_max_position_embeddings");
    return v ?? o.maxPositions;
  };
  if (origTop !== undefined && ropeType !== "yarn" && ropeType !== "llama3")
    c.fail(
      "original_max_position_embeddings",
      `is only read by rope types yarn and llama3, not ${show(type)}`,
    );

  let invFreq = defaultInvFreq(rotaryDim, theta);
  let attentionScaling = 1;
  let dynamicFactor = 0;
  let contextLength = o.maxPositions;
  if (ropeType === "linear") {
    const f = need("factor");
    invFreq = invFreq.map((v) => v / f);
  } else if (ropeType === "dynamic") {
    dynamicFactor = need("factor");
    if (dynamicFactor < 1)
      throw new ModelConfigError(`${pwhere}.factor`, `must be ≥ 1, got ${dynamicFactor}`);
    contextLength = Math.floor(o.maxPositions * dynamicFactor);
  } else if (ropeType === "llama3") {
    // original_max_position_embeddings defaults to max_position_embeddings, as in HF's standardisation.
    invFreq = llama3InvFreq(
      invFreq,
      need("factor"),
      need("low_freq_factor"),
      need("high_freq_factor"),
      origMax(),
    );
  } else if (ropeType === "yarn") {
    const y = yarn(rotaryDim, theta, o.maxPositions, origMax(), {
      factor: opt("factor"),
      attentionFactor: opt("attention_factor"),
      betaFast: opt("beta_fast"),
      betaSlow: opt("beta_slow"),
      mscale: opt("mscale"),
      mscaleAllDim: opt("mscale_all_dim"),
      truncate: p.truncate,
      where: pwhere,
    });
    invFreq = y.invFreq;
    attentionScaling = y.attentionFactor;
  }
  return { type: ropeType, theta, rotaryDim, invFreq, attentionScaling, dynamicFactor, contextLength };
}

/** A per-layer-type dict ({full_attention: {...}, ...}) resolves to its full_attention entry. */
function perLayerType(params: Json, where: string, ropeless: string[]): Json {
  const keys = Object.keys(params);
  const nested = keys.length > 0 && keys.every((k) => isObject(params[k]) && k.endsWith("_attention"));
  if (!nested) return params;
  for (const k of keys) {
    if (k !== "full_attention" && !ropeless.includes(k))
      throw new ModelConfigError(`${where}.${k}`, "RoPE for this layer type is not supported");
  }
  if (!isObject(params.full_attention))
    throw new ModelConfigError(`${where}.full_attention`, "missing (per-layer-type RoPE parameters)");
  return params.full_attention;
}

/** Llama 3.1's frequency-dependent interpolation (HF `_compute_llama3_parameters`). */
export function llama3InvFreq(
  inv0: Float32Array,
  factor: number,
  low: number,
  high: number,
  orig: number,
): Float32Array {
  const inv = Float32Array.from(inv0);
  const lowWavelen = orig / low;
  const highWavelen = orig / high;
  for (let i = 0; i < inv.length; i++) {
    const f = inv[i] as number;
    const wavelen = (2 * Math.PI) / f;
    if (wavelen > lowWavelen) inv[i] = f / factor;
    else if (wavelen >= highWavelen) {
      const smooth = (orig / wavelen - low) / (high - low);
      inv[i] = (1 - smooth) * (f / factor) + smooth * f;
    }
  }
  return inv;
}

interface YarnOptions {
  factor?: number;
  attentionFactor?: number;
  betaFast?: number;
  betaSlow?: number;
  mscale?: number;
  mscaleAllDim?: number;
  truncate: unknown;
  where: string;
}

/** YaRN (HF `_compute_yarn_parameters`): ramp between interpolated and extrapolated frequencies. */
function yarn(
  dim: number,
  base: number,
  maxPositions: number,
  orig: number,
  o: YarnOptions,
): { invFreq: Float32Array; attentionFactor: number } {
  const factor = o.factor ?? maxPositions / orig;
  if (o.truncate !== undefined && typeof o.truncate !== "boolean")
    throw new ModelConfigError(`${o.where}.truncate`, `expected true or false, got ${show(o.truncate)}`);
  const truncate = o.truncate ?? true;
  const mscale = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let attentionFactor = o.attentionFactor;
  if (attentionFactor === undefined) {
    attentionFactor =
      o.mscale && o.mscaleAllDim ? mscale(factor, o.mscale) / mscale(factor, o.mscaleAllDim) : mscale(factor);
  }
  const betaFast = o.betaFast || 32;
  const betaSlow = o.betaSlow || 1;
  const corrDim = (rot: number) => (dim * Math.log(orig / (rot * 2 * Math.PI))) / (2 * Math.log(base));
  let low = corrDim(betaFast);
  let high = corrDim(betaSlow);
  if (truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001;
  const half = dim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const pos = Math.fround(base ** Math.fround((2 * i) / dim));
    const extrapolation = Math.fround(1 / pos);
    const interpolation = Math.fround(1 / Math.fround(factor * pos));
    const ramp = Math.min(1, Math.max(0, Math.fround((i - low) / (high - low))));
    const extrapolationFactor = 1 - ramp;
    invFreq[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
  }
  return { invFreq, attentionFactor };
}
