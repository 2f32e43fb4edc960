import { randomUUID } from "node:crypto";
import {
  encodeForwardBackwardOutput,
  encodeSampleResponse,
  JsonCodecs,
  type TransportRequest,
  type TransportResponse,
} from "@crucible/tinker-client";
import { CapacityError } from "../engine/memory.js";
import type { Engine } from "../engine/types.js";
import { ArchiveSigner } from "../store/archive.js";
import { CheckpointStore } from "../store/checkpoint-store.js";
import { joinPolicy } from "./admission.js";
import { serveArchive } from "./archive-route.js";
import {
  type FutureValue,
  requireSession,
  type ServerContext,
  type ServerLimits,
  visible,
} from "./context.js";
import { errorCategory, errorMessage, HttpError, UserError } from "./errors.js";
import { FutureRegistry } from "./futures.js";
import { restRoute, weightsInfo } from "./rest.js";
import { SamplerPool } from "./sampler-pool.js";
import { asample, createSamplingSession, disposeSampler, getSampler } from "./sampling.js";
import { LaneScheduler } from "./scheduler.js";
import {
  createModel,
  forwardBackward,
  getInfo,
  loadWeights,
  optimStep,
  saveWeights,
  saveWeightsForSampler,
  unloadModel,
} from "./training.js";
import { decodeWith, readJsonBody, type Wire } from "./wire.js";

export interface TinkerHandlerOptions {
  engine: Engine;
  /** Root of the local `tinker://` checkpoint store. */
  checkpointDir: string;
  /** Base models clients may use; default: the engine's built-in models. */
  models?: string[];
  /** Engine calls in flight at once (default 1: libtorch already uses every core). */
  engineConcurrency?: number;
  limits?: Partial<ServerLimits>;
}

/** The framework-free Tinker server: one request in, one response out. Used by HTTP and in-process transports. */
export interface TinkerHandler {
  /** The engine's device ("cpu", "cuda:N"). */
  readonly device: string;
  /**
   * `principal`: who is asking, as `ApiKeyAuth.check` found it (the transports pass it). When given, sessions,
   * runs and checkpoints are private to it; undefined sees everything (no keys, one key, or shared mode).
   */
  handle(req: TransportRequest, principal?: string): Promise<TransportResponse>;
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: ServerLimits = {
  longPollMs: 20_000,
  futureRetentionMs: 30 * 60_000,
  maxQueuedSamples: 256,
  maxBatchRows: 256,
  defaultMaxTokens: 256,
  maxNumSamples: 128,
  sessionTimeoutMs: 15 * 60_000,
  maxLiveSamplers: 8,
  maxEphemeralSamplersPerModel: 32,
  maxLoraRank: 256,
  seqGapTimeoutMs: 120_000,
  maxBufferedPerModel: 1024,
  archiveUrlTtlMs: 15 * 60_000,
};

const JSON_HEADERS = { "content-type": "application/json" };
const encoder = new TextEncoder();

function json(status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: encoder.encode(JSON.stringify(body)) };
}

/** A finished future's value in the encoding the poller asked for (spec §1.4: protobuf iff Accept says so). */
function encodeResult(value: FutureValue, accept: string): TransportResponse {
  const proto = accept.includes("application/x-protobuf");
  const protoHeaders = { "content-type": "application/x-protobuf" };
  switch (value.kind) {
    case "json":
      return json(200, value.body);
    case "forward":
      return proto
        ? { status: 200, headers: protoHeaders, body: encodeForwardBackwardOutput(value.output) }
        : json(200, JsonCodecs.forwardBackwardOutput.encode(value.output));
    case "sample":
      return proto
        ? { status: 200, headers: protoHeaders, body: encodeSampleResponse(value.response) }
        : json(200, JsonCodecs.sampleResponse.encode(value.response));
  }
}

export async function createTinkerHandler(options: TinkerHandlerOptions): Promise<TinkerHandler> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const store = new CheckpointStore(options.checkpointDir);
  await store.init();
  const ctx: ServerContext = {
    engine: options.engine,
    store,
    scheduler: new LaneScheduler(options.engineConcurrency ?? 1, joinPolicy(options.engine, limits)),
    futures: new FutureRegistry<FutureValue>(limits.futureRetentionMs),
    sessions: new Map(),
    models: new Map(),
    samplers: new Map(),
    retiredSamplers: new Set(),
    samplerPool: new SamplerPool(options.engine, limits.maxLiveSamplers),
    archives: new ArchiveSigner(),
    servedModels: options.models ?? options.engine.listBuiltinModels(),
    limits,
  };
  const capabilities = new Map<string, number>();

  const expireSessions = async () => {
    const cutoff = Date.now() - limits.sessionTimeoutMs;
    for (const session of [...ctx.sessions.values()]) {
      if (session.lastSeen >= cutoff) continue;
      ctx.sessions.delete(session.id);
      for (const id of session.modelIds) {
        const model = ctx.models.get(id);
        ctx.models.delete(id);
        // Disposed from the model's lane, so a step still running on it finishes first.
        if (model) {
          ctx.scheduler
            .enqueue(`train:${id}`, async () => (await model.ready).trainer.dispose())
            .catch(() => {});
        }
      }
      for (const id of session.samplerIds) {
        const s = ctx.samplers.get(id);
        if (s) await disposeSampler(ctx, s).catch(() => {});
      }
    }
  };
  const sweeper = setInterval(() => void expireSessions(), Math.min(limits.sessionTimeoutMs, 60_000));
  sweeper.unref();

  async function retrieveFuture(
    ctx: ServerContext,
    body: Wire,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ) {
    const req = decodeWith(JsonCodecs.retrieveFutureRequest, body);
    // Request ids are `req:<model or sampler id>:<seq>`: another key's results answer 404, like unknown ids.
    const owner = req.requestId.startsWith("req:")
      ? req.requestId.slice(4, req.requestId.lastIndexOf(":"))
      : undefined;
    const holder = owner ? (ctx.models.get(owner) ?? ctx.samplers.get(owner)) : undefined;
    if (holder && !visible(ctx, holder.owner))
      throw new HttpError(404, `unknown request_id ${JSON.stringify(req.requestId)}`);
    const r = await ctx.futures.wait(req.requestId, limits.longPollMs, signal);
    if (r.state === "unknown")
      throw new HttpError(404, `unknown request_id ${JSON.stringify(req.requestId)}`);
    if (r.state === "expired")
      throw new HttpError(410, `result of ${req.requestId} has expired; resubmit the request`);
    if (r.state === "pending") {
      const busy = ctx.scheduler.queued("sample:") >= limits.maxQueuedSamples;
      return json(200, {
        type: "try_again",
        request_id: req.requestId,
        queue_state: busy ? "paused_capacity" : "active",
      });
    }
    if (!r.outcome.ok) return json(200, { error: r.outcome.error, category: r.outcome.category });
    return encodeResult(r.outcome.value, headers["accept"] ?? "");
  }

  async function supportedModels() {
    const out = [];
    for (const name of ctx.servedModels) {
      let ctxLen = capabilities.get(name);
      if (ctxLen === undefined) {
        ctxLen = (await ctx.engine.loadBaseModel(name)).contextLength;
        capabilities.set(name, ctxLen);
      }
      out.push({ model_name: name, max_context_length: ctxLen });
    }
    return out;
  }

  async function route(base: ServerContext, req: TransportRequest, principal: string | undefined) {
    const ctx: ServerContext = principal === undefined ? base : { ...base, principal };
    const url = new URL(req.path, "http://local");
    if (!url.pathname.startsWith("/api/v1/"))
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    // Ids with `:` and `/` arrive unencoded (spec §2.0); decode any percent-escapes a client did add.
    const parts = url.pathname
      .slice("/api/v1/".length)
      .split("/")
      .filter((p) => p !== "")
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          throw new UserError(`path segment ${JSON.stringify(p)} is not valid percent-encoding`);
        }
      });
    const name = parts.join("/");
    const m = req.method;
    const body = () => readJsonBody(req.body, name);
    const headers = req.headers;
    if (m === "POST") {
      switch (name) {
        case "client/config":
          return json(200, {
            pjwt_auth_enabled: false,
            credential_default_source: "api_key",
            proto_compress_fwdbwd: false,
            parallel_fwdbwd_chunks: true,
            create_model_via_load_weights: false,
            sample_max_concurrent_requests: limits.maxQueuedSamples,
          });
        case "client/dynamic_config":
          return json(200, { refresh_interval_sec: 300 });
        case "telemetry":
          return json(200, { status: "accepted" });
        case "create_session": {
          const r = decodeWith(JsonCodecs.createSessionRequest, body());
          const id = randomUUID();
          const now = Date.now();
          ctx.sessions.set(id, {
            id,
            tags: r.tags,
            userMetadata: r.userMetadata ?? {},
            ...(r.projectId ? { projectId: r.projectId } : {}),
            createdAt: now,
            lastSeen: now,
            modelIds: [],
            samplerIds: [],
            ...(principal !== undefined ? { owner: principal } : {}),
          });
          return json(200, { type: "create_session", session_id: id, info_message: "crucible-local server" });
        }
        case "session_heartbeat": {
          requireSession(ctx, body()["session_id"]);
          return json(200, { type: "session_heartbeat" });
        }
        case "create_model":
          return json(200, createModel(ctx, body()));
        case "get_info":
          return json(200, await getInfo(ctx, body()));
        case "forward_backward":
        case "forward":
          if ((headers["content-encoding"] ?? "identity") !== "identity") {
            throw new UserError(
              `content-encoding ${headers["content-encoding"]} is not supported here; this server's client/config has proto_compress_fwdbwd=false, so send the body uncompressed`,
              415,
            );
          }
          return json(200, forwardBackward(ctx, req.body, headers["content-type"] ?? "", name));
        case "optim_step":
          return json(200, optimStep(ctx, body()));
        case "save_weights":
          return json(200, saveWeights(ctx, body()));
        case "save_weights_for_sampler":
          return json(200, saveWeightsForSampler(ctx, body()));
        case "load_weights":
          return json(200, await loadWeights(ctx, body()));
        case "unload_model":
          return json(200, unloadModel(ctx, body()));
        case "create_sampling_session":
          return json(200, await createSamplingSession(ctx, body()));
        case "asample":
          return json(200, await asample(ctx, body()));
        case "retrieve_future":
          return retrieveFuture(ctx, body(), headers, req.signal);
        case "weights_info":
          return json(200, await weightsInfo(ctx, body()));
      }
    }
    if (m === "GET" && name === "healthz") return json(200, { status: "ok" });
    if (m === "GET" && name === "get_server_capabilities") {
      return json(200, { supported_models: await supportedModels() });
    }
    if (m === "GET" && name === "checkpoint_archive") return serveArchive(ctx, url.searchParams);
    if (m === "GET" && parts[0] === "samplers" && parts.length === 2) {
      return json(200, getSampler(ctx, parts[1] as string));
    }
    // Archive URLs point back at this server as the client reached it (no Host: in-process, a relative URL).
    const origin = headers["host"] ? `http://${headers["host"]}` : "";
    const rest = await restRoute(ctx, m, parts, url.searchParams, body, origin);
    if (rest) {
      if (!("json" in rest)) return { status: 204, headers: {}, body: new Uint8Array() };
      return json(rest.status, rest.json, rest.headers);
    }
    throw new HttpError(404, `no route ${m} /api/v1/${name} on the local Tinker server`);
  }

  return {
    device: options.engine.device ?? "cpu",
    async handle(req, principal) {
      try {
        return await route(ctx, req, principal);
      } catch (err) {
        if (err instanceof HttpError) return json(err.status, { detail: err.message }, err.headers);
        if (err instanceof CapacityError) return json(429, { detail: err.message }, { "retry-after": "5" });
        if (err instanceof UserError) return json(err.status, { detail: err.message });
        // Engine input errors (an unsupported model config, a bad checkpoint) say `category: "user"`.
        if (errorCategory(err) === "user") return json(400, { detail: errorMessage(err) });
        return json(500, { detail: `internal error: ${errorMessage(err)}` });
      }
    },
    async close() {
      clearInterval(sweeper);
      ctx.scheduler.close();
      await ctx.scheduler.drain(); // never dispose a trainer or sampler under a running engine call
      ctx.futures.close();
      ctx.samplerPool.close();
      for (const model of ctx.models.values())
        model.ready.then(({ trainer }) => trainer.dispose()).catch(() => {});
      for (const s of [...ctx.samplers.values()]) await disposeSampler(ctx, s).catch(() => {});
      ctx.models.clear();
    },
  };
}
