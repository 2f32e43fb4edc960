import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { createTinkerHandler } from "./handler.js";
import { call, submitAndWait, waitFuture } from "./test-support.js";

// Session expiry, idempotent creation and the legacy / create-via-load request forms.
const MODEL = "crucible/tiny-qwen3";
const datum = {
  model_input: { chunks: [{ type: "encoded_text", tokens: [3, 4, 5, 6] }] },
  loss_fn_inputs: {
    target_tokens: { data: [4, 5, 6, 7], dtype: "int64" },
    weights: { data: [1, 1, 1, 1], dtype: "float32" },
  },
};

describe("Tinker handler: sessions and legacy forms", () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = createEngine();
    dir = await mkdtemp(join(tmpdir(), "handler-life-"));
  });
  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("sessions without heartbeats expire and free their models and ephemeral sampler weights", async () => {
    const h = await createTinkerHandler({
      engine,
      checkpointDir: join(dir, "exp"),
      models: [MODEL],
      limits: { sessionTimeoutMs: 1500 },
    });
    try {
      const mk = async () =>
        (await call(h, "POST", "create_session", { tags: [], sdk_version: "x" })).json.session_id as string;
      const [idle, alive] = [await mk(), await mk()];
      const models: string[] = [];
      // Both sessions stay alive during setup (which can be slow on a loaded machine).
      const beat = setInterval(() => void call(h, "POST", "session_heartbeat", { session_id: idle }), 200);
      for (const s of [idle, alive]) {
        models.push(
          (
            await submitAndWait(h, "create_model", {
              session_id: s,
              model_seq_id: 0,
              base_model: MODEL,
              lora_config: { rank: 2 },
            })
          ).json.model_id,
        );
      }
      const eph = await submitAndWait(h, "save_weights_for_sampler", {
        model_id: models[0],
        seq_id: 1,
        sampling_session_seq_id: 0,
      });
      expect(eph.json.sampling_session_id, JSON.stringify(eph.json)).toBe(`${idle}:sample:0`);
      expect(await readdir(join(dir, "exp", "ephemeral"))).toHaveLength(1);
      clearInterval(beat);
      // Expiry happens at the first sweep (every timeout) after lastSeen + timeout: at most 3 s here.
      for (let i = 0; i < 16; i++) {
        await new Promise((r) => setTimeout(r, 250));
        expect(
          (await call(h, "POST", "session_heartbeat", { session_id: alive, type: "session_heartbeat" }))
            .status,
        ).toBe(200);
      }
      expect((await call(h, "POST", "session_heartbeat", { session_id: idle })).status).toBe(404);
      expect(
        (await call(h, "POST", "optim_step", { model_id: models[0], seq_id: 2, adam_params: {} })).status,
      ).toBe(404);
      expect((await call(h, "GET", `samplers/${idle}:sample:0`)).status).toBe(404);
      expect(await readdir(join(dir, "exp", "ephemeral"))).toHaveLength(0);
      const ok = await submitAndWait(h, "optim_step", { model_id: models[1], seq_id: 1, adam_params: {} });
      expect(ok.json.metrics["grad_norm:mean"]).toBe(0); // no fwd/bwd before it: zero gradient
    } finally {
      await h.close();
    }
  });

  it("create_model is idempotent per (session, model_seq_id); legacy asample and create-via-load work", async () => {
    const h = await createTinkerHandler({ engine, checkpointDir: join(dir, "legacy"), models: [MODEL] });
    try {
      const session = (await call(h, "POST", "create_session", { tags: [], sdk_version: "x" })).json
        .session_id;
      const body = {
        session_id: session,
        model_seq_id: 0,
        base_model: MODEL,
        lora_config: { rank: 2, seed: 4 },
      };
      const a = await call(h, "POST", "create_model", body);
      const b = await call(h, "POST", "create_model", body);
      expect(b.json).toEqual(a.json);
      const model = a.json.model_id;
      await submitAndWait(h, "forward_backward", {
        model_id: model,
        seq_id: 1,
        forward_backward_input: { data: [datum], loss_fn: "cross_entropy" },
      });
      await submitAndWait(h, "optim_step", {
        model_id: model,
        seq_id: 2,
        adam_params: { learning_rate: 0.1 },
      });
      const saved = await submitAndWait(h, "save_weights", { model_id: model, seq_id: 3, path: "ck" });
      const fwd = await submitAndWait(h, "forward", {
        model_id: model,
        seq_id: 4,
        forward_input: { data: [datum], loss_fn: "cross_entropy" },
      });

      // Legacy sampling by model_path, with no sampling session (SDK 0.1.x).
      const legacy = await submitAndWait(h, "asample", {
        model_path: saved.json.path,
        prompt: datum.model_input,
        num_samples: 1,
        sampling_params: { max_tokens: 1 },
        prompt_logprobs: true,
      });
      for (const [i, v] of (legacy.json.prompt_logprobs.slice(1) as number[]).entries()) {
        expect(v).toBeCloseTo(fwd.json.loss_fn_outputs[0].logprobs.data[i], 4);
      }

      // create_model_via_load_weights form: one load_weights with session addressing builds the model and loads it.
      const viaLoad = await submitAndWait(h, "load_weights", {
        session_id: session,
        model_seq_id: 1,
        path: saved.json.path,
        optimizer: true,
        type: "load_weights",
      });
      expect(viaLoad.json).toEqual({
        path: saved.json.path,
        model_id: `${session}:train:1`,
        type: "load_weights",
      });
      const again = await submitAndWait(h, "forward", {
        model_id: viaLoad.json.model_id,
        seq_id: 1,
        forward_input: { data: [datum], loss_fn: "cross_entropy" },
      });
      expect(again.json.loss_fn_outputs[0].logprobs.data).toEqual(fwd.json.loss_fn_outputs[0].logprobs.data);

      const wrongRank = await submitAndWait(h, "create_model", {
        ...body,
        model_seq_id: 2,
        lora_config: { rank: 8 },
      });
      const load = await submitAndWait(h, "load_weights", {
        model_id: wrongRank.json.model_id,
        seq_id: 1,
        path: saved.json.path,
        optimizer: false,
      });
      expect(load.json).toMatchObject({
        category: "user",
        error: expect.stringMatching(/LoRA rank 2.*rank 8/),
      });
      const missing = await submitAndWait(h, "load_weights", {
        model_id: model,
        seq_id: 5,
        path: `tinker://${model}/weights/nope`,
        optimizer: false,
      });
      expect(missing.json).toMatchObject({
        category: "user",
        error: expect.stringMatching(/does not exist/),
      });
    } finally {
      await h.close();
    }
  });

  it("queues sampling fairly across sessions: a flood from one sampler does not hold back another", async () => {
    const h = await createTinkerHandler({
      engine,
      checkpointDir: join(dir, "fair"),
      models: [MODEL],
      // maxBatchRows 1: each request decodes alone, so the flood queues request by request (with merging, a lane's
      // queued requests start together in one slot; scheduler-join.test.ts covers fairness for that case).
      limits: { longPollMs: 0, maxBatchRows: 1 },
    });
    try {
      const session = (await call(h, "POST", "create_session", { tags: [], sdk_version: "x" })).json
        .session_id;
      const mk = async (n: number) =>
        (
          await call(h, "POST", "create_sampling_session", {
            session_id: session,
            sampling_session_seq_id: n,
            base_model: MODEL,
          })
        ).json.sampling_session_id as string;
      const [a, b] = [await mk(0), await mk(1)];
      const req = (sid: string, seq: number) => ({
        sampling_session_id: sid,
        seq_id: seq,
        num_samples: 1,
        prompt: datum.model_input,
        sampling_params: { max_tokens: 4, seed: seq },
      });
      const flood: string[] = [];
      for (let i = 0; i < 6; i++) flood.push((await call(h, "POST", "asample", req(a, i))).json.request_id);
      const late = (await call(h, "POST", "asample", req(b, 0))).json.request_id;
      const state = async (id: string) =>
        (await call(h, "POST", "retrieve_future", { request_id: id })).json?.type === "try_again";
      while (await state(late)) await new Promise((r) => setTimeout(r, 5));
      // Round-robin lanes: b's request ran second, so most of a's flood is still waiting.
      const pending = [];
      for (const id of flood) pending.push(await state(id));
      expect(pending.filter(Boolean).length).toBeGreaterThanOrEqual(3);
      expect(pending[5]).toBe(true);
    } finally {
      await h.close();
    }
  });

  it("keeps only the newest unnamed sampler saves per model and says so when an old one is used", async () => {
    const root = join(dir, "retire");
    const h = await createTinkerHandler({
      engine,
      checkpointDir: root,
      models: [MODEL],
      limits: { maxEphemeralSamplersPerModel: 2 },
    });
    try {
      const session = (await call(h, "POST", "create_session", { tags: [], sdk_version: "x" })).json
        .session_id;
      const model = (
        await submitAndWait(h, "create_model", {
          session_id: session,
          model_seq_id: 0,
          base_model: MODEL,
          lora_config: { rank: 2 },
        })
      ).json.model_id;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await submitAndWait(h, "save_weights_for_sampler", {
          model_id: model,
          seq_id: i + 1,
          sampling_session_seq_id: i,
        });
        ids.push(r.json.sampling_session_id);
      }
      const sample = (sid: string) =>
        call(h, "POST", "asample", {
          sampling_session_id: sid,
          seq_id: 0,
          num_samples: 1,
          prompt: datum.model_input,
          sampling_params: { max_tokens: 1 },
        });
      const old = await sample(ids[0] as string);
      expect(old.status).toBe(404);
      expect(old.json.detail).toMatch(/retired: only the newest 2 unnamed sampler saves/);
      const fresh = await sample(ids[2] as string);
      expect(fresh.status).toBe(200);
      expect((await waitFuture(h, fresh.json.request_id)).json.sequences).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100)); // the retired dir is removed from its lane
      expect((await readdir(join(root, "ephemeral"))).sort()).toEqual([ids[1], ids[2]].sort());
    } finally {
      await h.close();
    }
  });
});
