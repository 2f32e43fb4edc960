import { ModelInput } from "@crucible/tinker-client";
import type { ServerContext } from "./context.js";
import type { Wire } from "./wire.js";

// Memory admission on a GPU: work that would not fit the device's available memory is refused at submit with 429
// and the reason (engine.admit throws CapacityError), instead of failing — or worse, crashing — mid-run. Requests
// that do not decode are left alone: their future reports the decoding error in turn as before.

export function admitSample(ctx: ServerContext, baseModel: string, body: Wire): void {
  if (!ctx.engine.admit || ctx.engine.device === undefined || ctx.engine.device === "cpu") return;
  const prompt = body["prompt"] as { chunks?: unknown } | undefined;
  const params = (body["sampling_params"] ?? {}) as Record<string, unknown>;
  let promptTokens: number;
  try {
    promptTokens = ModelInput.length(prompt as ModelInput);
  } catch {
    return;
  }
  const rows = typeof body["num_samples"] === "number" ? body["num_samples"] : 1;
  const maxTokens =
    typeof params["max_tokens"] === "number" ? params["max_tokens"] : ctx.limits.defaultMaxTokens;
  ctx.engine.admit(baseModel, {
    kind: "sample",
    rows,
    promptTokens,
    maxTokens,
    promptLogprobs: body["prompt_logprobs"] === true || Number(body["topk_prompt_logprobs"] ?? 0) > 0,
  });
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
