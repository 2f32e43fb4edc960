import type { NativeModelConfig } from "./native.js";

/** Work the GPU cannot hold right now: the server answers 429 with this message (and Retry-After). */
export class CapacityError extends Error {
  readonly category = "capacity" as const;
  constructor(detail: string) {
    super(detail);
    this.name = "CapacityError";
  }
}

/** What a request will allocate on the device, for admission before it runs. */
export type DeviceWork =
  | { kind: "train"; tokens: number; backward: boolean }
  | { kind: "sample"; rows: number; promptTokens: number; maxTokens: number; promptLogprobs: boolean };

const MB = 2 ** 20;

/**
 * Bytes a request needs on a CUDA device beyond the weights (bf16 activations, float32 logits), an upper estimate
 * from the model's shape: per token and layer the saved activations of attention (q/k/v, RoPE temporaries, output)
 * and the MLP (gate, up, their product), float32 norm inputs; the logits in bf16 and float32 with their gradient.
 */
export function estimateDeviceBytes(c: NativeModelConfig, work: DeviceWork): number {
  const qDim = c.heads * c.headDim;
  const kvDim = c.kvHeads * c.headDim;
  if (work.kind === "train") {
    const perLayer = 2 * (4 * c.hidden + 5 * qDim + 4 * kvDim + 4 * c.intermediate) + 8 * c.hidden;
    const saved = work.backward ? work.tokens * c.layers * perLayer : work.tokens * 2 * perLayer;
    const logits = work.tokens * c.vocab * (work.backward ? 14 : 10);
    return saved + logits;
  }
  const len = work.promptTokens + work.maxTokens;
  const kv = work.rows * c.layers * 2 * kvDim * len * 2;
  const prefill = work.promptTokens * 2 * (2 * c.hidden + qDim + 2 * kvDim + 2 * c.intermediate);
  const logits = (work.promptLogprobs ? work.promptTokens : 1) * c.vocab * 12 + work.rows * c.vocab * 16;
  return kv + prefill + logits;
}

/** Throws CapacityError when `need` bytes exceed what the device can still give (`availableMB` of deviceMemory). */
export function admit(device: string, need: number, availableMB: number, what: string): void {
  if (need <= availableMB * MB) return;
  throw new CapacityError(
    `${what} needs about ${(need / MB / 1024).toFixed(1)} GiB on ${device}, which has ${(availableMB / 1024).toFixed(1)} GiB ` +
      "available now; retry later, or send fewer tokens (smaller batch, fewer samples, lower max_tokens)",
  );
}
