import { randomUUID } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import { JsonCodecs } from "@crucible/tinker-client";
import { formatTinkerPath, parseTinkerPath } from "../store/tinker-path.js";
import { admitSample, sampleWork } from "./admission.js";
import {
  type FutureValue,
  type ModelState,
  requireReadable,
  requireServedModel,
  requireSession,
  type SamplerSessionState,
  type ServerContext,
  visible,
} from "./context.js";
import { toEngineSample } from "./decode.js";
import { HttpError, UserError } from "./errors.js";
import { toSampleResponse } from "./results.js";
import { decodeWith, type Wire } from "./wire.js";

function addSampler(ctx: ServerContext, s: SamplerSessionState): SamplerSessionState {
  if (ctx.principal !== undefined) s.owner = ctx.principal;
  ctx.samplers.set(s.id, s);
  ctx.sessions.get(s.sessionId)?.samplerIds.push(s.id);
  return s;
}

/** Resolves a `tinker://` path to its adapter directory and the base model it was trained on. */
async function resolveModelPath(ctx: ServerContext, modelPath: string, baseModel: unknown) {
  const p = parseTinkerPath(modelPath, "model_path");
  const { dir } = await requireReadable(ctx, p);
  const run = await ctx.store.getRun(p.runId);
  if (!run)
    throw new HttpError(404, `model_path: no training run ${p.runId} in this server's checkpoint store`);
  if (baseModel !== undefined && baseModel !== run.base_model) {
    throw new UserError(
      `base_model ${JSON.stringify(baseModel)} does not match the checkpoint's base model ${run.base_model}`,
    );
  }
  return { dir, base: requireServedModel(ctx, run.base_model), path: formatTinkerPath(p) };
}

export async function createSamplingSession(
  ctx: ServerContext,
  body: Wire,
): Promise<Record<string, unknown>> {
  const req = decodeWith(JsonCodecs.createSamplingSessionRequest, body);
  const session = requireSession(ctx, req.sessionId);
  const id = `${session.id}:sample:${req.samplingSessionSeqId}`;
  if (!ctx.samplers.has(id)) {
    if (req.modelPath !== undefined) {
      const r = await resolveModelPath(ctx, req.modelPath, req.baseModel);
      addSampler(ctx, {
        id,
        sessionId: session.id,
        baseModel: r.base,
        modelPath: r.path,
        adapterDir: r.dir,
        ephemeral: false,
      });
    } else {
      addSampler(ctx, {
        id,
        sessionId: session.id,
        baseModel: requireServedModel(ctx, req.baseModel),
        ephemeral: false,
      });
    }
  }
  return { type: "create_sampling_session", sampling_session_id: id };
}

/** Unnamed save_weights_for_sampler: writes the adapter beside the store (atomically) and binds a session to it. */
export async function registerEphemeralSampler(
  ctx: ServerContext,
  model: ModelState,
  samplerId: string,
  write: (dir: string) => Promise<void>,
): Promise<void> {
  if (ctx.samplers.has(samplerId)) return; // a duplicate of an already-served request
  const dir = ctx.store.ephemeralDir(samplerId);
  const { dir: tmp, release } = await ctx.store.tempDir();
  try {
    await write(tmp);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    release();
  }
  addSampler(ctx, {
    id: samplerId,
    sessionId: model.sessionId,
    baseModel: model.baseModel,
    adapterDir: dir,
    ephemeral: true,
  });
  // An RL loop makes one of these per step: keep the newest few, retire the rest (and free their disk).
  model.ephemeral.push(samplerId);
  while (model.ephemeral.length > ctx.limits.maxEphemeralSamplersPerModel) {
    const old = ctx.samplers.get(model.ephemeral.shift() as string);
    if (!old) continue;
    ctx.retiredSamplers.add(old.id);
    void disposeSampler(ctx, old);
  }
}

export function getSampler(ctx: ServerContext, id: string): Record<string, unknown> {
  const found = ctx.samplers.get(id);
  const s = found && visible(ctx, found.owner) ? found : undefined;
  if (!s) throw new HttpError(404, `unknown sampler_id ${JSON.stringify(id)}`);
  return { sampler_id: s.id, base_model: s.baseModel, model_path: s.modelPath ?? null };
}

/** Legacy asample addressing (base_model / model_path instead of a session): one implicit session per target. */
async function legacySampler(
  ctx: ServerContext,
  baseModel: unknown,
  modelPath: unknown,
): Promise<SamplerSessionState> {
  const target = typeof modelPath === "string" ? modelPath : undefined;
  const id = `legacy:${ctx.principal ? `${ctx.principal}:` : ""}${target ?? String(baseModel)}`;
  const existing = ctx.samplers.get(id);
  if (existing) return existing;
  if (target) {
    const r = await resolveModelPath(ctx, target, baseModel);
    return addSampler(ctx, {
      id,
      sessionId: "",
      baseModel: r.base,
      modelPath: r.path,
      adapterDir: r.dir,
      ephemeral: false,
    });
  }
  return addSampler(ctx, {
    id,
    sessionId: "",
    baseModel: requireServedModel(ctx, baseModel),
    ephemeral: false,
  });
}

export async function asample(ctx: ServerContext, body: Wire): Promise<{ request_id: string }> {
  let sampler: SamplerSessionState;
  const sessionId = body["sampling_session_id"];
  if (sessionId !== undefined) {
    const any = ctx.samplers.get(String(sessionId));
    const found = any && visible(ctx, any.owner) ? any : undefined;
    if (!found && ctx.retiredSamplers.has(String(sessionId))) {
      throw new HttpError(
        404,
        `sampling session ${sessionId} was retired: only the newest ${ctx.limits.maxEphemeralSamplersPerModel} unnamed sampler saves per model are kept; sample from a newer save_weights_and_get_sampling_client`,
      );
    }
    if (!found) throw new HttpError(404, `unknown sampling_session_id ${JSON.stringify(sessionId)}`);
    sampler = found;
    const session = ctx.sessions.get(sampler.sessionId);
    if (session) session.lastSeen = Date.now();
  } else if (body["base_model"] !== undefined || body["model_path"] !== undefined) {
    sampler = await legacySampler(ctx, body["base_model"], body["model_path"]);
  } else {
    throw new UserError("asample: give sampling_session_id (or, legacy, base_model / model_path)");
  }
  const seq = body["seq_id"];
  const requestId =
    typeof seq === "number" ? `req:${sampler.id}:${seq}` : `req:${sampler.id}:${randomUUID()}`;
  if (ctx.futures.has(requestId)) return { request_id: requestId }; // duplicate submit: same future
  if (ctx.scheduler.queued("sample:") >= ctx.limits.maxQueuedSamples) {
    throw new HttpError(429, "sampling queue is full; back off and retry", { "retry-after": "1" });
  }
  const spec = sampleWork(ctx, sampler.baseModel, body);
  admitSample(ctx, spec);
  // Requests of one sampling session run together (their rows decode as one batch: continuous batching); one
  // whose body does not decode runs as a plain job and fails alone.
  const work = ctx.scheduler.enqueue(
    `sample:${sampler.id}`,
    async (): Promise<FutureValue> => {
      const req = decodeWith(JsonCodecs.sampleRequest, body);
      const wantPrompt = req.promptLogprobs === true;
      const topk = req.topkPromptLogprobs;
      return ctx.samplerPool.use(sampler.baseModel, sampler.adapterDir, async (engineSampler) => {
        const request = toEngineSample(
          {
            prompt: req.prompt,
            numSamples: req.numSamples,
            samplingParams: req.samplingParams,
            promptLogprobs: wantPrompt,
            topkPromptLogprobs: topk,
          },
          engineSampler.base,
          ctx.limits,
        );
        const result = await engineSampler.sample(request);
        return { kind: "sample", response: toSampleResponse(result, wantPrompt, topk) };
      });
    },
    spec,
  );
  ctx.futures.track(requestId, work);
  return { request_id: requestId };
}

/**
 * Forgets a sampling session at once (new requests get 404) and deletes its ephemeral weights from its lane,
 * after the requests already queued on it have run.
 */
export async function disposeSampler(ctx: ServerContext, s: SamplerSessionState): Promise<void> {
  ctx.samplers.delete(s.id);
  const dir = s.adapterDir;
  if (!s.ephemeral || !dir) return;
  const cleanup = async () => {
    ctx.samplerPool.drop(s.baseModel, dir);
    await rm(dir, { recursive: true, force: true });
  };
  await ctx.scheduler.enqueue(`sample:${s.id}`, cleanup).catch(cleanup); // closed scheduler: clean up now
}
