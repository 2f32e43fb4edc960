import type { ForwardBackwardOutput, ResolvedLoraConfig, SampleResponse } from "@crucible/tinker-client";
import type { BaseModelInfo, Engine, Trainer } from "../engine/types.js";
import type { ArchiveSigner } from "../store/archive.js";
import type { CheckpointRecord, CheckpointStore, RunRecord } from "../store/checkpoint-store.js";
import { formatTinkerPath, type TinkerPath } from "../store/tinker-path.js";
import { HttpError, UserError } from "./errors.js";
import type { FutureRegistry } from "./futures.js";
import type { SamplerPool } from "./sampler-pool.js";
import type { LaneScheduler, SeqGate } from "./scheduler.js";

/** A finished future's value, kept unencoded so `retrieve_future` can answer JSON or protobuf per `Accept`. */
export type FutureValue =
  | { kind: "json"; body: Record<string, unknown> }
  | { kind: "forward"; output: ForwardBackwardOutput }
  | { kind: "sample"; response: SampleResponse };

export interface ServerLimits {
  /** How long `retrieve_future` holds a poll before answering try_again. */
  longPollMs: number;
  futureRetentionMs: number;
  /** Queued sample requests (all sessions) beyond which `asample` answers 429. */
  maxQueuedSamples: number;
  /** Rows (num_samples summed) of the sampling requests of one sampling session that decode as one batch. */
  maxBatchRows: number;
  defaultMaxTokens: number;
  maxNumSamples: number;
  /** Sessions without a heartbeat (or any request) for this long are closed and their models freed. */
  sessionTimeoutMs: number;
  /** Live engine samplers kept; older ones are disposed and re-created from disk on demand. */
  maxLiveSamplers: number;
  /** Unnamed sampler saves kept per model; older sessions are retired and their weights deleted. */
  maxEphemeralSamplersPerModel: number;
  /** Largest LoRA rank `create_model` accepts (larger ranks get a 400 naming this bound). */
  maxLoraRank: number;
  /** How long requests wait behind a missing seq_id before they fail with an error naming it. */
  seqGapTimeoutMs: number;
  /** Out-of-order requests buffered per model; more get a 400 naming the missing seq_id. */
  maxBufferedPerModel: number;
  /** Lifetime of the signed download URLs the archive route hands out. */
  archiveUrlTtlMs: number;
}

export interface SessionState {
  id: string;
  tags: string[];
  userMetadata: Record<string, unknown>;
  projectId?: string;
  createdAt: number;
  lastSeen: number;
  modelIds: string[];
  samplerIds: string[];
  /** Principal (API-key fingerprint) that created it; undefined when ownership is off. */
  owner?: string;
}

export interface ModelState {
  id: string;
  sessionId: string;
  baseModel: string;
  lora: ResolvedLoraConfig;
  /** Settles when create_model's work has run. */
  ready: Promise<{ trainer: Trainer; base: BaseModelInfo; run: RunRecord }>;
  gate: SeqGate;
  /** Sampling sessions made by unnamed save_weights_for_sampler, oldest first. */
  ephemeral: string[];
  owner?: string;
}

/** A sampling session: a base model, optionally with adapter weights from a checkpoint or an unnamed save. */
export interface SamplerSessionState {
  id: string;
  sessionId: string;
  baseModel: string;
  /** tinker:// path it was created from (none for the base model or an unnamed save). */
  modelPath?: string;
  adapterDir?: string;
  /** Weights written by an unnamed save_weights_for_sampler, deleted with the session. */
  ephemeral: boolean;
  owner?: string;
}

export interface ServerContext {
  engine: Engine;
  store: CheckpointStore;
  scheduler: LaneScheduler;
  futures: FutureRegistry<FutureValue>;
  sessions: Map<string, SessionState>;
  models: Map<string, ModelState>;
  samplers: Map<string, SamplerSessionState>;
  /** Ephemeral sampling sessions dropped by the per-model cap, for a clear error message. */
  retiredSamplers: Set<string>;
  samplerPool: SamplerPool;
  /** Signs and checks the archive download URLs. */
  archives: ArchiveSigner;
  /** Base models clients may use. */
  servedModels: string[];
  limits: ServerLimits;
  /** Who is asking (per request); undefined = one key, no keys or shared mode: everything is visible. */
  principal?: string;
}

/**
 * Whether the current request may see something owned by `owner`. Records made with ownership off (no owner)
 * stay visible to every key; otherwise other keys get the same 404 as for a missing id.
 */
export function visible(ctx: ServerContext, owner: string | undefined): boolean {
  return ctx.principal === undefined || owner === undefined || owner === ctx.principal;
}

export function requireSession(ctx: ServerContext, id: unknown): SessionState {
  const found = typeof id === "string" ? ctx.sessions.get(id) : undefined;
  const session = found && visible(ctx, found.owner) ? found : undefined;
  if (!session) {
    throw new HttpError(
      404,
      `unknown session_id ${JSON.stringify(id)}; call create_session first (sessions expire without heartbeats)`,
    );
  }
  session.lastSeen = Date.now();
  return session;
}

export function requireModel(ctx: ServerContext, id: unknown): ModelState {
  const found = typeof id === "string" ? ctx.models.get(id) : undefined;
  const model = found && visible(ctx, found.owner) ? found : undefined;
  if (!model)
    throw new HttpError(
      404,
      `unknown model_id ${JSON.stringify(id)}; create the model with create_model first`,
    );
  const session = ctx.sessions.get(model.sessionId);
  if (session) session.lastSeen = Date.now();
  return model;
}

/**
 * A checkpoint the current request may read: its own run's, or any public one (as on the hosted service).
 * Others' private checkpoints get the same 404 as missing ones.
 */
export async function requireReadable(
  ctx: ServerContext,
  p: TinkerPath,
): Promise<{ dir: string; record: CheckpointRecord }> {
  const found = await ctx.store.require(p);
  if (ctx.principal !== undefined && !found.record.public) {
    const run = await ctx.store.getRun(p.runId);
    if (!visible(ctx, run?.owner)) {
      throw new UserError(`checkpoint ${formatTinkerPath(p)} does not exist (or its TTL expired)`, 404);
    }
  }
  return found;
}

/** Base model names: served ones only, so clients cannot make the server read arbitrary directories. */
export function requireServedModel(ctx: ServerContext, name: unknown): string {
  if (typeof name !== "string" || !ctx.servedModels.includes(name)) {
    throw new UserError(
      `base_model ${JSON.stringify(name)} is not served here; available: ${ctx.servedModels.join(", ") || "(none)"}`,
    );
  }
  return name;
}
