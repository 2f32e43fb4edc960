import { JsonCodecs } from "@crucible/tinker-client";
import type { CheckpointRecord, RunRecord } from "../store/checkpoint-store.js";
import { parseCheckpointId, parseTinkerPath, validateRunId } from "../store/tinker-path.js";
import { requireReadable, type ServerContext, visible } from "./context.js";
import { HttpError, UserError } from "./errors.js";
import { decodeWith, type Wire } from "./wire.js";

/** What a REST route answers: a JSON body, or an empty 2xx. */
export type RestAnswer =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: 204 };

function page(query: URLSearchParams, defaultLimit: number): { limit: number; offset: number } {
  const num = (key: string, dflt: number) => {
    const raw = query.get(key);
    if (raw === null) return dflt;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0)
      throw new UserError(`query ${key}: expected a non-negative integer, got ${raw}`);
    return v;
  };
  return { limit: num("limit", defaultLimit), offset: num("offset", 0) };
}

async function trainingRun(ctx: ServerContext, run: RunRecord): Promise<Record<string, unknown>> {
  const checkpoints = await ctx.store.list(run.training_run_id);
  const last = (type: CheckpointRecord["checkpoint_type"]) =>
    checkpoints.find((c) => c.checkpoint_type === type);
  const out: Record<string, unknown> = {
    training_run_id: run.training_run_id,
    base_model: run.base_model,
    model_owner: "local",
    is_lora: true,
    corrupted: false,
    lora_rank: run.lora_rank,
    last_request_time: run.last_request_time,
  };
  const lastTraining = last("training");
  const lastSampler = last("sampler");
  if (lastTraining) out["last_checkpoint"] = lastTraining;
  if (lastSampler) out["last_sampler_checkpoint"] = lastSampler;
  if (run.user_metadata) out["user_metadata"] = run.user_metadata;
  return out;
}

async function requireRun(ctx: ServerContext, runId: string): Promise<RunRecord> {
  const found = await ctx.store.getRun(validateRunId(runId));
  const run = found && visible(ctx, found.owner) ? found : undefined;
  if (!run) throw new HttpError(404, `training run ${JSON.stringify(runId)} not found`);
  // Keep last_request_time current for models this server is running.
  const live = ctx.models.get(runId);
  if (live) {
    const ready = await live.ready.catch(() => undefined);
    if (ready) run.last_request_time = ready.run.last_request_time;
  }
  return run;
}

export async function weightsInfo(ctx: ServerContext, body: Wire): Promise<Record<string, unknown>> {
  const req = decodeWith(JsonCodecs.weightsInfoRequest, body);
  const p = parseTinkerPath(req.tinkerPath, "tinker_path");
  await requireReadable(ctx, p); // also answers for other keys' public checkpoints (the "lite" lookup)
  const run = await ctx.store.getRun(p.runId);
  if (!run) throw new HttpError(404, `training run ${JSON.stringify(p.runId)} not found`);
  return {
    base_model: run.base_model,
    is_lora: true,
    lora_rank: run.lora_rank,
    train_unembed: run.train_unembed,
    train_mlp: run.train_mlp,
    train_attn: run.train_attn,
  };
}

/** `/training_runs…`, `/checkpoints`, `/sessions…` routes. `rest` is the path after `/api/v1/`, split on `/`. */
export async function restRoute(
  ctx: ServerContext,
  method: string,
  parts: string[],
  query: URLSearchParams,
  body: () => Wire,
  origin = "",
): Promise<RestAnswer | undefined> {
  const [head, id, sub, ...tail] = parts;
  if (head === "training_runs") {
    if (id === undefined) {
      if (method !== "GET") return undefined;
      const { limit, offset } = page(query, 20);
      const runs = (await ctx.store.listRuns()).filter((r) => visible(ctx, r.owner));
      const slice = await Promise.all(runs.slice(offset, offset + limit).map((r) => trainingRun(ctx, r)));
      return {
        status: 200,
        json: { training_runs: slice, cursor: { offset, limit, total_count: runs.length } },
      };
    }
    if (sub === undefined && method === "GET")
      return { status: 200, json: await trainingRun(ctx, await requireRun(ctx, id)) };
    if (sub !== "checkpoints") return undefined;
    await requireRun(ctx, id);
    if (tail.length === 0) {
      if (method !== "GET") return undefined;
      const checkpoints = await ctx.store.list(id);
      return { status: 200, json: { checkpoints, cursor: null } };
    }
    // checkpoint ids hold a slash (`weights/<name>`), then an optional action.
    const action = tail.length === 3 ? tail[2] : undefined;
    const p = parseCheckpointId(id, tail.slice(0, 2).join("/"));
    if (action === undefined && method === "DELETE") {
      await ctx.store.delete(p);
      return { status: 204 };
    }
    if (action === "archive" && method === "GET") {
      await ctx.store.require(p);
      const expiresMs = Date.now() + ctx.limits.archiveUrlTtlMs;
      const url = origin + ctx.archives.sign(p, expiresMs);
      const expires = new Date(expiresMs).toISOString();
      return {
        status: 302,
        json: { url, expires },
        headers: { location: url, expires: new Date(expires).toUTCString() },
      };
    }
    if (action === "publish" && (method === "POST" || method === "DELETE")) {
      await ctx.store.setPublic(p, method === "POST");
      return { status: 204 };
    }
    if (action === "ttl" && method === "PUT") {
      const req = decodeWith(JsonCodecs.setCheckpointTtlRequest, body());
      await ctx.store.setTtl(p, req.ttlSeconds ?? null);
      return { status: 204 };
    }
    return undefined;
  }
  if (head === "checkpoints" && id === undefined && method === "GET") {
    const { limit, offset } = page(query, 100);
    const owned = new Set(
      (await ctx.store.listRuns()).filter((r) => visible(ctx, r.owner)).map((r) => r.training_run_id),
    );
    const all = (await ctx.store.listAll()).filter((c) => owned.has(parseTinkerPath(c.tinker_path).runId));
    return {
      status: 200,
      json: {
        checkpoints: all.slice(offset, offset + limit),
        cursor: { offset, limit, total_count: all.length },
      },
    };
  }
  if (head === "sessions") {
    if (id === undefined && method === "GET") {
      const { limit, offset } = page(query, 20);
      const ids = [...ctx.sessions.values()]
        .filter((s) => visible(ctx, s.owner))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((s) => s.id);
      return { status: 200, json: { sessions: ids.slice(offset, offset + limit) } };
    }
    const found = id === undefined ? undefined : ctx.sessions.get(id);
    const session = found && visible(ctx, found.owner) ? found : undefined;
    if (!session) throw new HttpError(404, `session ${JSON.stringify(id)} not found`);
    if (sub === undefined && method === "GET") {
      return { status: 200, json: { training_run_ids: session.modelIds, sampler_ids: session.samplerIds } };
    }
    if (sub === "project" && method === "PUT") {
      const req = decodeWith(JsonCodecs.assignSessionProjectRequest, body());
      session.projectId = req.projectId;
      return { status: 204 };
    }
  }
  return undefined;
}
