import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSampleResponse } from "@crucible/tinker-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { createTinkerHandler, type TinkerHandler } from "./handler.js";
import { call, submitAndWait, waitFuture } from "./test-support.js";

// Sampling sessions, checkpoints and REST routes of the handler against the real engine.
const MODEL = "crucible/tiny-qwen3";
const prompt = { chunks: [{ type: "encoded_text", tokens: [11, 22, 33, 44] }] };
const datum = {
  model_input: { chunks: [{ type: "encoded_text", tokens: [11, 22, 33, 44, 55] }] },
  loss_fn_inputs: {
    target_tokens: { data: [22, 33, 44, 55, 66], dtype: "int64" },
    weights: { data: [1, 1, 1, 1, 1], dtype: "float32" },
  },
};

describe("Tinker handler: sampling, checkpoints, REST", () => {
  let engine: Engine;
  let h: TinkerHandler;
  let dir: string;
  let session: string;
  let model: string;
  let samplingSeq = 0;
  let seq = 1;

  const samplerFor = async (body: Record<string, unknown>) => {
    const r = await call(h, "POST", "create_sampling_session", {
      session_id: session,
      sampling_session_seq_id: samplingSeq++,
      ...body,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json.sampling_session_id as string;
  };
  const sample = (sid: string, extra: Record<string, unknown> = {}, accept?: string) =>
    submitAndWait(
      h,
      "asample",
      {
        sampling_session_id: sid,
        seq_id: seq++,
        num_samples: 2,
        prompt,
        sampling_params: { max_tokens: 6, seed: 42, temperature: 1 },
        prompt_logprobs: false,
        topk_prompt_logprobs: 0,
        type: "sample",
        ...extra,
      },
      accept,
    );

  beforeAll(async () => {
    engine = createEngine();
    dir = await mkdtemp(join(tmpdir(), "handler-sampling-"));
    h = await createTinkerHandler({
      engine,
      checkpointDir: dir,
      models: [MODEL],
      // maxBatchRows 1: each request decodes alone, so concurrent ones queue (and the queue bound answers 429)
      limits: { longPollMs: 2000, maxQueuedSamples: 1, maxBatchRows: 1, maxLiveSamplers: 2 },
    });
    session = (
      await call(h, "POST", "create_session", { tags: ["t"], user_metadata: {}, sdk_version: "0.25.0" })
    ).json.session_id;
    const cm = await submitAndWait(h, "create_model", {
      session_id: session,
      model_seq_id: 0,
      base_model: MODEL,
      lora_config: { rank: 4, seed: 1 },
    });
    model = cm.json.model_id;
  });
  afterAll(async () => {
    await h.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("same seed → same tokens; protobuf and JSON answers agree; prompt logprobs match forward", async () => {
    const sid = await samplerFor({ base_model: MODEL });
    const a = await sample(sid);
    const b = await sample(sid);
    expect(a.json.sequences).toHaveLength(2);
    expect(a.json.sequences[0].tokens).toHaveLength(6);
    expect(a.json.sequences[0].stop_reason).toBe("length");
    expect(b.json.sequences).toEqual(a.json.sequences);
    const p = await sample(sid, {}, "application/x-protobuf");
    expect(p.headers["content-type"]).toBe("application/x-protobuf");
    expect(decodeSampleResponse(p.bytes).sequences.map((s) => s.tokens)).toEqual(
      a.json.sequences.map((s: { tokens: number[] }) => s.tokens),
    );
    // compute_logprobs form: prompt_logprobs of the base model = forward logprobs of a fresh LoRA (B = 0).
    const lp = await sample(sid, {
      num_samples: 1,
      sampling_params: { max_tokens: 1 },
      prompt_logprobs: true,
      prompt: datum.model_input,
    });
    const fwd = await submitAndWait(h, "forward", {
      model_id: model,
      seq_id: 1,
      forward_input: { data: [datum], loss_fn: "cross_entropy" },
    });
    const expected = fwd.json.loss_fn_outputs[0].logprobs.data as number[];
    expect(lp.json.prompt_logprobs[0]).toBeNull();
    const got = lp.json.prompt_logprobs.slice(1) as number[];
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(expected[i] as number, 4);
    const topk = await sample(sid, {
      num_samples: 1,
      sampling_params: { max_tokens: 1 },
      topk_prompt_logprobs: 3,
    });
    expect(topk.json.topk_prompt_logprobs[0]).toBeNull();
    expect(topk.json.topk_prompt_logprobs[1]).toHaveLength(3);
  });

  it("sampling errors are user errors; a duplicate seq returns the same future; overload answers 429", async () => {
    const sid = await samplerFor({ base_model: MODEL });
    const oov = await sample(sid, { prompt: { chunks: [{ type: "encoded_text", tokens: [1, 9_999_999] }] } });
    expect(oov.json).toMatchObject({
      category: "user",
      error: expect.stringMatching(/prompt\[1\]: token id 9999999/),
    });
    const tooLong = await sample(sid, { sampling_params: { max_tokens: 10_000_000 } });
    expect(tooLong.json.error).toMatch(/exceeds the context length/);
    const body = {
      sampling_session_id: sid,
      seq_id: 9999,
      num_samples: 1,
      prompt,
      sampling_params: { max_tokens: 2 },
    };
    const [r1, r2, r3] = await Promise.all([
      call(h, "POST", "asample", body),
      call(h, "POST", "asample", { ...body, seq_id: 10_000 }),
      call(h, "POST", "asample", { ...body, seq_id: 10_001 }),
    ]);
    expect([r1.status, r2.status, r3.status]).toEqual([200, 200, 429]);
    expect(r3.headers["retry-after"]).toBe("1");
    expect((await call(h, "POST", "asample", body)).json.request_id).toBe(r1.json.request_id);
    await waitFuture(h, r1.json.request_id);
    await waitFuture(h, r2.json.request_id);
    expect(
      (await call(h, "POST", "asample", { ...body, sampling_session_id: "ghost:sample:0" })).status,
    ).toBe(404);
  });

  it("unnamed save_weights_for_sampler creates a session on the current weights; named saves are listed and usable", async () => {
    let s = 2;
    await submitAndWait(h, "forward_backward", {
      model_id: model,
      seq_id: s++,
      forward_backward_input: { data: [datum], loss_fn: "cross_entropy" },
    });
    await submitAndWait(h, "optim_step", {
      model_id: model,
      seq_id: s++,
      adam_params: { learning_rate: 0.1 },
    });
    const eph = await submitAndWait(h, "save_weights_for_sampler", {
      model_id: model,
      seq_id: s++,
      sampling_session_seq_id: samplingSeq++,
      type: "save_weights_for_sampler",
    });
    const sid = eph.json.sampling_session_id as string;
    expect(sid).toBe(`${session}:sample:${samplingSeq - 1}`);
    expect((await call(h, "GET", `samplers/${sid}`)).json).toEqual({
      sampler_id: sid,
      base_model: MODEL,
      model_path: null,
    });
    const named = await submitAndWait(h, "save_weights_for_sampler", {
      model_id: model,
      seq_id: s++,
      path: "s1",
    });
    expect(named.json.path).toBe(`tinker://${model}/sampler_weights/s1`);
    const fromPath = await samplerFor({ model_path: named.json.path });
    const base = await samplerFor({ base_model: MODEL });
    const lp = async (id: string) =>
      (
        await sample(id, {
          num_samples: 1,
          sampling_params: { max_tokens: 1 },
          prompt_logprobs: true,
          prompt: datum.model_input,
        })
      ).json.prompt_logprobs;
    const [e, n, b] = [await lp(sid), await lp(fromPath), await lp(base)];
    for (const [i, v] of (e.slice(1) as number[]).entries()) expect(v).toBeCloseTo(n[i + 1], 4); // same weights
    expect(e).not.toEqual(b); // trained weights differ from the base model
    const saved = await submitAndWait(h, "save_weights", {
      model_id: model,
      seq_id: s++,
      path: "w1",
      ttl_seconds: 3600,
    });
    expect(saved.json).toEqual({ path: `tinker://${model}/weights/w1`, type: "save_weights" });
    const dup = await submitAndWait(h, "save_weights", { model_id: model, seq_id: s++, path: "w1" });
    expect(dup.json).toMatchObject({
      category: "user",
      error: expect.stringMatching(/already exists.*overwrite/),
    });
    const info = await call(h, "POST", "weights_info", { tinker_path: saved.json.path });
    expect(info.json).toEqual({
      base_model: MODEL,
      is_lora: true,
      lora_rank: 4,
      train_unembed: true,
      train_mlp: true,
      train_attn: true,
    });
  });

  it("REST routes: runs, checkpoints with '/' and ':' in ids, publish, TTL, archive, delete", async () => {
    const runs = await call(h, "GET", "training_runs?limit=5");
    expect(runs.json.training_runs[0]).toMatchObject({
      training_run_id: model,
      base_model: MODEL,
      is_lora: true,
      lora_rank: 4,
    });
    expect(runs.json.cursor).toEqual({ offset: 0, limit: 5, total_count: 1 });
    const run = await call(h, "GET", `training_runs/${model}`);
    expect(run.json.last_checkpoint.checkpoint_id).toBe("weights/w1");
    const list = await call(h, "GET", `training_runs/${model}/checkpoints`);
    expect(list.json.checkpoints.map((c: { checkpoint_id: string }) => c.checkpoint_id).sort()).toEqual([
      "sampler_weights/s1",
      "weights/w1",
    ]);
    expect((await call(h, "POST", `training_runs/${model}/checkpoints/weights/w1/publish`)).status).toBe(204);
    expect((await call(h, "POST", `training_runs/${model}/checkpoints/weights/w1/publish`)).status).toBe(409);
    expect(
      (await call(h, "PUT", `training_runs/${model}/checkpoints/weights/w1/ttl`, { ttl_seconds: null }))
        .status,
    ).toBe(204);
    const c = (await call(h, "GET", "checkpoints")).json.checkpoints.find(
      (x: { checkpoint_id: string }) => x.checkpoint_id === "weights/w1",
    );
    expect(c).toMatchObject({ public: true, expires_at: null, tinker_path: `tinker://${model}/weights/w1` });
    const arch = await call(h, "GET", `training_runs/${model}/checkpoints/sampler_weights/s1/archive`);
    expect(arch.status).toBe(302);
    expect(arch.headers["location"]).toMatch(/^\/api\/v1\/checkpoint_archive\?path=tinker%3A%2F%2F/);
    expect((await call(h, "DELETE", `training_runs/${model}/checkpoints/sampler_weights/s1`)).status).toBe(
      204,
    );
    expect((await call(h, "DELETE", `training_runs/${model}/checkpoints/sampler_weights/s1`)).status).toBe(
      404,
    );
    expect((await call(h, "GET", "sessions")).json.sessions).toContain(session);
    expect((await call(h, "GET", `sessions/${session}`)).json.training_run_ids).toEqual([model]);
  });

  it("rejects path traversal in tinker:// paths and REST ids", async () => {
    for (const path of [
      "tinker://../weights/x",
      `tinker://${model}/weights/../../../../etc`,
      `tinker://${model}/weights/..`,
    ]) {
      const r = await call(h, "POST", "weights_info", { tinker_path: path });
      expect(r.status).toBe(400);
      const load = await submitAndWait(h, "create_sampling_session", {
        session_id: session,
        sampling_session_seq_id: 900,
        model_path: path,
      });
      expect(load.status).toBe(400);
    }
    expect(
      (await call(h, "GET", `training_runs/${model}/checkpoints/weights/..%2F..%2Fx/archive`)).status,
    ).toBe(400);
    expect((await call(h, "GET", "training_runs/..%2F..%2Fetc/checkpoints")).status).toBe(400);
    const fresh = await submitAndWait(h, "create_model", {
      session_id: session,
      model_seq_id: 1,
      base_model: MODEL,
      lora_config: { rank: 2 },
    });
    const bad = await submitAndWait(h, "save_weights", {
      model_id: fresh.json.model_id,
      seq_id: 1,
      path: "../escape",
    });
    expect(bad.json).toMatchObject({
      category: "user",
      error: expect.stringMatching(/checkpoint name "..\/escape" is not allowed/),
    });
    const load = await submitAndWait(h, "load_weights", {
      model_id: fresh.json.model_id,
      seq_id: 2,
      path: "tinker://x/weights/..",
      optimizer: false,
    });
    expect(load.json.category).toBe("user");
  });
});
