import { ModelInput } from "@crucible/tinker-client";
import { CapacityError } from "../engine/memory.js";
import type { Engine } from "../engine/types.js";
import type { ServerContext, ServerLimits } from "./context.js";
import type { JoinPolicy, JoinSpec } from "./scheduler.js";
import type { Wire } from "./wire.js";

// Memory admission on a GPU: work that would not fit the device's available memory is refused at submit with 429
// and the reason (engine.admit throws CapacityError), instead of failing — or worse, crashing — mid-run. Requests
// that do not decode are left alone: their future reports the decoding error in turn as before.

/** What a sampling request will decode (for the row bound of merged decoding and for memory admission); undefined
 *  when the body does not decode (its future reports that in turn). */
export function sampleWork(ctx: ServerContext, baseModel: string, body: Wire): JoinSpec | undefined {
  const prompt = body["prompt"] as { chunks?: unknown } | undefined;
  const params = (body["sampling_params"] ?? {}) as Record<string, unknown>;
  let promptTokens: number;
  try {
    promptTokens = ModelInput.length(prompt as ModelInput);
  } catch {
    return undefined;
  }
  return {
    baseModel,
    rows: typeof body["num_samples"] === "number" ? body["num_samples"] : 1,
    promptTokens,
    maxTokens: typeof params["max_tokens"] === "number" ? params["max_tokens"] : ctx.limits.defaultMaxTokens,
    promptLogprobs: body["prompt_logprobs"] === true || Number(body["topk_prompt_logprobs"] ?? 0) > 0,
  };
}

type Admitting = Pick<Engine, "admit" | "device">;

function onDevice(engine: Admitting): boolean {
  return engine.admit !== undefined && engine.device !== undefined && engine.device !== "cpu";
}

export function admitSample(ctx: ServerContext, work: JoinSpec | undefined): void {
  if (!work || !onDevice(ctx.engine)) return;
  ctx.engine.admit?.(work.baseModel, { kind: "sample", ...work });
}

/**
 * Whether a sampling request may join the running decode of its sampler: the merged batch stays within
 * `limits.maxBatchRows`, and on a GPU the merged work (its rows with the longest prompt and max_tokens among them:
 * an upper bound of the sum of their KV caches and logits) fits the device's available memory now. The running
 * requests' caches are then counted twice (they already hold device memory): conservative, and a refused request
 * only waits for its session's next turn.
 */
export function joinPolicy(engine: Admitting, limits: Pick<ServerLimits, "maxBatchRows">): JoinPolicy {
  return (group, next) => {
    const all = [...group, next];
    const rows = all.reduce((n, w) => n + w.rows, 0);
    if (rows > limits.maxBatchRows) return false;
    if (!onDevice(engine)) return true;
    try {
      engine.admit?.(next.baseModel, {
        kind: "sample",
        rows,
        promptTokens: Math.max(...all.map((w) => w.promptTokens)),
        maxTokens: Math.max(...all.map((w) => w.maxTokens)),
        promptLogprobs: all.some((w) => w.promptLogprobs),
      });
      return true;
    } catch (err) {
      if (err instanceof CapacityError) return false; // it waits for the lane's next turn instead
      throw err;
    }
  };
}

/** `lengths`: the model_input length of each datum. */
export function admitTrain(
  ctx: ServerContext,
  baseModel: string,
  lengths: number[],
  backward: boolean,
): void {
  if (!ctx.engine.admit || ctx.engine.device === undefined || ctx.engine.device === "cpu") return;
  const padded = lengths.length * Math.max(0, ...lengths); // the engine pads the batch to its longest datum
  ctx.engine.admit(baseModel, { kind: "train", tokens: padded, backward });
}
