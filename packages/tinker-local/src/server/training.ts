import { JsonCodecs, LoraConfigSchema, ModelInput, type ResolvedLoraConfig } from "@crucible/tinker-client";
import type { Trainer } from "../engine/types.js";
import type { RunRecord } from "../store/checkpoint-store.js";
import { formatTinkerPath, parseTinkerPath, validateCheckpointName } from "../store/tinker-path.js";
import { admitTrain } from "./admission.js";
import {
  type FutureValue,
  type ModelState,
  requireModel,
  requireReadable,
  requireServedModel,
  requireSession,
  type ServerContext,
} from "./context.js";
import { checkLossFnConfig, parseLossFn, toEngineBatch } from "./decode.js";
import { HttpError, UserError } from "./errors.js";
import { toForwardBackwardOutput } from "./results.js";
import { registerEphemeralSampler } from "./sampling.js";
import { SeqGate } from "./scheduler.js";
import { decodeForwardBackward, decodeWith, type Wire } from "./wire.js";

export interface FutureHandle {
  request_id: string;
  model_id?: string;
}

function parseLora(ctx: ServerContext, raw: unknown): ResolvedLoraConfig {
  const r = LoraConfigSchema.safeParse(raw ?? {});
  if (!r.success) throw new UserError(`lora_config: ${r.error.issues[0]?.message ?? "invalid"}`);
  // Checked before any allocation: a huge rank would otherwise surface as the engine's std::bad_alloc.
  const max = ctx.limits.maxLoraRank;
  if (!Number.isInteger(r.data.rank) || r.data.rank < 1 || r.data.rank > max) {
    throw new UserError(
      `lora_config.rank: ${r.data.rank} is not allowed here; use an integer from 1 to ${max} (the largest rank this server allows)`,
    );
  }
  return r.data;
}

/** The per-model seq gate with this server's gap deadline and buffer cap. */
function newGate(ctx: ServerContext, modelId: string): SeqGate {
  return new SeqGate(1, {
    gapTimeoutMs: ctx.limits.seqGapTimeoutMs,
    maxBuffered: ctx.limits.maxBufferedPerModel,
    gapError: (missing, detail) =>
      new UserError(
        `model ${modelId} is waiting for seq_id ${missing}: ${detail}; requests on a model must carry consecutive seq_ids starting at 1`,
      ),
  });
}

/**
 * Runs `work` for `model` once every lower seq_id has been released (spec §5.1). The request id is derived from
 * (model_id, seq_id), so an L2 retry of the same seq gets the same id and is not run twice.
 */
function submitOrdered(
  ctx: ServerContext,
  model: ModelState,
  seqId: number | undefined,
  work: (trainer: Trainer, m: ModelState) => Promise<FutureValue>,
): FutureHandle {
  if (seqId !== undefined && seqId < 1) {
    throw new UserError(`seq_id: must be ≥ 1 (seq 0 is the model's creation), got ${seqId}`);
  }
  const seq = seqId ?? model.gate.expected; // legacy clients without seq_id: run in arrival order
  const requestId = `req:${model.id}:${seq}`;
  const handle = { request_id: requestId, model_id: model.id };
  if (ctx.futures.has(requestId)) return handle;
  // Enqueue synchronously at release time: gate releases happen in seq order, so lane order = seq order.
  let start!: () => void;
  let fail!: (err: Error) => void;
  const work$ = new Promise<FutureValue>((resolve, reject) => {
    fail = reject;
    start = () =>
      ctx.scheduler
        .enqueue(`train:${model.id}`, async () => {
          const { trainer, run } = await model.ready;
          run.last_request_time = new Date().toISOString();
          return work(trainer, model);
        })
        .then(resolve, reject);
  });
  if (!model.gate.offer(seq, start, fail)) return handle; // duplicate whose result already expired
  ctx.futures.track(requestId, work$);
  return handle;
}

/** Creates model `<session>:train:<model_seq_id>` (seq 0); creation itself is the model's first lane job. */
function createModelState(
  ctx: ServerContext,
  sessionId: string,
  modelSeqId: number,
  baseModel: string,
  lora: ResolvedLoraConfig,
  userMetadata: Record<string, string> | undefined,
): { model: ModelState; fresh: boolean } {
  const id = `${sessionId}:train:${modelSeqId}`;
  const existing = ctx.models.get(id);
  if (existing) return { model: existing, fresh: false };
  const ready = ctx.scheduler.enqueue(`train:${id}`, async () => {
    const base = await ctx.engine.loadBaseModel(baseModel);
    const trainer = await ctx.engine.createTrainer(baseModel, lora);
    const now = new Date().toISOString();
    const run: RunRecord = {
      training_run_id: id,
      session_id: sessionId,
      base_model: baseModel,
      lora_rank: lora.rank,
      train_mlp: lora.trainMlp,
      train_attn: lora.trainAttn,
      train_unembed: lora.trainUnembed,
      created_at: now,
      last_request_time: now,
      ...(userMetadata ? { user_metadata: userMetadata } : {}),
      ...(ctx.sessions.get(sessionId)?.owner ? { owner: ctx.sessions.get(sessionId)?.owner as string } : {}),
    };
    await ctx.store.saveRun(run);
    return { trainer, base, run };
  });
  const owner = ctx.sessions.get(sessionId)?.owner;
  const model: ModelState = {
    id,
    sessionId,
    baseModel,
    lora,
    ready,
    gate: newGate(ctx, id),
    ephemeral: [],
    ...(owner ? { owner } : {}),
  };
  ctx.models.set(id, model);
  ctx.sessions.get(sessionId)?.modelIds.push(id);
  // A failed creation leaves no model behind (the future reports the error).
  ready.catch(() => {
    if (ctx.models.get(id) === model) ctx.models.delete(id);
  });
  return { model, fresh: true };
}

function envelope(body: Wire): { model: unknown; seq: number | undefined } {
  const seq = body["seq_id"];
  return { model: body["model_id"], seq: typeof seq === "number" && Number.isInteger(seq) ? seq : undefined };
}

export function createModel(ctx: ServerContext, body: Wire): FutureHandle {
  const req = decodeWith(JsonCodecs.createModelRequest, body);
  const session = requireSession(ctx, req.sessionId);
  const baseModel = requireServedModel(ctx, req.baseModel);
  const lora = parseLora(ctx, req.loraConfig);
  const meta = req.userMetadata as Record<string, string> | undefined;
  const { model } = createModelState(ctx, session.id, req.modelSeqId, baseModel, lora, meta);
  const requestId = `req:${model.id}:0`;
  ctx.futures.track(
    requestId,
    model.ready.then(() => ({ kind: "json", body: { model_id: model.id, type: "create_model" } })),
  );
  return { request_id: requestId, model_id: model.id };
}

/** forward / forward_backward in either encoding; decoding and validation happen in turn (see decodeForwardBackward). */
export function forwardBackward(
  ctx: ServerContext,
  body: Uint8Array | undefined,
  contentType: string,
  endpoint: "forward_backward" | "forward",
): FutureHandle {
  const fb = decodeForwardBackward(body, contentType, endpoint);
  const model = requireModel(ctx, fb.modelId);
  if (ctx.engine.device !== undefined && ctx.engine.device !== "cpu") {
    let lengths: number[] | undefined;
    try {
      lengths = fb.decode().data.map((d) => ModelInput.length(d.modelInput));
    } catch {
      // undecodable: the request fails in turn with the decoding error
    }
    if (lengths) admitTrain(ctx, model.baseModel, lengths, endpoint === "forward_backward");
  }
  return submitOrdered(ctx, model, fb.seqId, async (trainer) => {
    const req = fb.decode();
    const lossFn = parseLossFn(req.lossFn);
    checkLossFnConfig(lossFn, req.lossFnConfig);
    const batch = toEngineBatch(req.data, lossFn, trainer.base);
    const result = await trainer.forward(batch, {
      lossFn,
      backward: !req.forwardOnly,
      ...(req.lossFnConfig ? { lossFnConfig: req.lossFnConfig } : {}),
    });
    return { kind: "forward", output: toForwardBackwardOutput(result, batch) };
  });
}

export function optimStep(ctx: ServerContext, body: Wire): FutureHandle {
  const env = envelope(body);
  return submitOrdered(ctx, requireModel(ctx, env.model), env.seq, async (trainer) => {
    const req = decodeWith(JsonCodecs.optimStepRequest, body);
    const metrics = await trainer.optimStep(req.adamParams);
    return { kind: "json", body: { metrics } }; // spec §2.5: optim_step results carry no `type`
  });
}

export function saveWeights(ctx: ServerContext, body: Wire): FutureHandle {
  const env = envelope(body);
  const model = requireModel(ctx, env.model);
  return submitOrdered(ctx, model, env.seq, async (trainer) => {
    const req = decodeWith(JsonCodecs.saveWeightsRequest, body);
    if (req.path === undefined) throw new UserError("path: save_weights needs a checkpoint name");
    const p = { runId: model.id, kind: "weights" as const, name: validateCheckpointName(req.path, "path") };
    const opts = { overwrite: req.overwrite, ...(req.ttlSeconds ? { ttlSeconds: req.ttlSeconds } : {}) };
    await ctx.store.save(p, opts, (dir) => trainer.saveState(dir, { optimizer: true }));
    return { kind: "json", body: { path: formatTinkerPath(p), type: "save_weights" } };
  });
}

export function saveWeightsForSampler(ctx: ServerContext, body: Wire): FutureHandle {
  const env = envelope(body);
  const model = requireModel(ctx, env.model);
  return submitOrdered(ctx, model, env.seq, async (trainer) => {
    const req = decodeWith(JsonCodecs.saveWeightsForSamplerRequest, body);
    if (req.path === undefined) {
      // Unnamed form: the server creates the sampling session itself, bound to the current weights.
      const samplerId = `${model.sessionId}:sample:${req.samplingSessionSeqId}`;
      await registerEphemeralSampler(ctx, model, samplerId, (dir) => trainer.saveSamplerWeights(dir));
      return { kind: "json", body: { sampling_session_id: samplerId, type: "save_weights_for_sampler" } };
    }
    const p = {
      runId: model.id,
      kind: "sampler_weights" as const,
      name: validateCheckpointName(req.path, "path"),
    };
    const opts = { overwrite: true, ...(req.ttlSeconds ? { ttlSeconds: req.ttlSeconds } : {}) };
    await ctx.store.save(p, opts, (dir) => trainer.saveSamplerWeights(dir));
    return { kind: "json", body: { path: formatTinkerPath(p), type: "save_weights_for_sampler" } };
  });
}

/** Loads a checkpoint into a trainer after checking it was made for the same base model and LoRA shape. */
async function loadInto(
  ctx: ServerContext,
  trainer: Trainer,
  model: ModelState,
  path: string,
  optimizer: boolean,
) {
  const p = parseTinkerPath(path, "path");
  if (p.kind !== "weights") {
    throw new UserError(
      `path: ${formatTinkerPath(p)} is a sampler checkpoint; load_weights needs a tinker://…/weights/… path`,
    );
  }
  const { dir } = await requireReadable(ctx, p);
  const run = await ctx.store.getRun(p.runId);
  if (run && run.base_model !== model.baseModel) {
    throw new UserError(
      `path: checkpoint was trained on ${run.base_model}, but this model is ${model.baseModel}`,
    );
  }
  if (run && run.lora_rank !== model.lora.rank) {
    throw new UserError(
      `path: checkpoint has LoRA rank ${run.lora_rank}, but this model has rank ${model.lora.rank}`,
    );
  }
  await trainer.loadState(dir, { optimizer });
  return formatTinkerPath(p);
}

export async function loadWeights(ctx: ServerContext, body: Wire): Promise<FutureHandle> {
  if (body["model_id"] === undefined)
    return createViaLoad(ctx, decodeWith(JsonCodecs.loadWeightsRequest, body));
  const env = envelope(body);
  const model = requireModel(ctx, env.model);
  return submitOrdered(ctx, model, env.seq, async (trainer) => {
    const req = decodeWith(JsonCodecs.loadWeightsRequest, body);
    const path = await loadInto(ctx, trainer, model, req.path, req.optimizer);
    return { kind: "json", body: { path, model_id: model.id, type: "load_weights" } };
  });
}

/** `create_model_via_load_weights` form: create the model with the checkpoint's LoRA config, then load it. */
async function createViaLoad(
  ctx: ServerContext,
  req: { sessionId?: string; modelSeqId?: number; baseModel?: string; path: string; optimizer: boolean },
): Promise<FutureHandle> {
  const session = requireSession(ctx, req.sessionId);
  const p = parseTinkerPath(req.path, "path");
  await requireReadable(ctx, p);
  const run = await ctx.store.getRun(p.runId);
  if (!run) throw new HttpError(404, `no training run ${p.runId} in this server's checkpoint store`);
  const baseModel = requireServedModel(ctx, req.baseModel ?? run.base_model);
  const lora = parseLora(ctx, {
    rank: run.lora_rank,
    trainMlp: run.train_mlp,
    trainAttn: run.train_attn,
    trainUnembed: run.train_unembed,
  });
  const { model, fresh } = createModelState(ctx, session.id, req.modelSeqId ?? 0, baseModel, lora, undefined);
  const requestId = `req:${model.id}:0`;
  if (fresh) {
    const work = model.ready.then(async ({ trainer }) => {
      const path = await ctx.scheduler.enqueue(`train:${model.id}`, () =>
        loadInto(ctx, trainer, model, req.path, req.optimizer),
      );
      return { kind: "json" as const, body: { path, model_id: model.id, type: "load_weights" } };
    });
    ctx.futures.track(requestId, work);
  }
  return { request_id: requestId, model_id: model.id };
}

export async function getInfo(ctx: ServerContext, body: Wire): Promise<Record<string, unknown>> {
  const model = requireModel(ctx, body["model_id"]);
  const { base } = await model.ready;
  return {
    type: "get_info",
    model_id: model.id,
    model_data: { arch: base.architecture, model_name: model.baseModel, tokenizer_id: base.tokenizerId },
    is_lora: true,
    lora_rank: model.lora.rank,
    model_name: model.baseModel,
  };
}

export function unloadModel(ctx: ServerContext, body: Wire): FutureHandle {
  const model = requireModel(ctx, body["model_id"]);
  const requestId = `req:${model.id}:unload`;
  ctx.futures.track(
    requestId,
    ctx.scheduler.enqueue(`train:${model.id}`, async () => {
      const { trainer } = await model.ready;
      trainer.dispose();
      ctx.models.delete(model.id);
      model.gate.close();
      return { kind: "json", body: { model_id: model.id, type: "unload_model" } };
    }),
  );
  return { request_id: requestId, model_id: model.id };
}
