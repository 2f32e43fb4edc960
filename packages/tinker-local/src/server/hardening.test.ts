import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatum, ModelInput, ServiceClient } from "@crucible/tinker-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { ApiKeyAuth } from "./auth.js";
import { createTinkerHandler } from "./handler.js";
import { startLocalServer } from "./http.js";
import { call, submitAndWait, waitFuture } from "./test-support.js";

// The four findings of the reliability probe (issue #23), each reproduced as it was found.
const MODEL = "crucible/tiny-qwen3";

describe("server hardening", () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = createEngine();
    dir = await mkdtemp(join(tmpdir(), "hardening-"));
  });
  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function session(h: Awaited<ReturnType<typeof createTinkerHandler>>): Promise<string> {
    return (await call(h, "POST", "create_session", { tags: [], sdk_version: "x" })).json.session_id;
  }

  it("a LoRA rank the server cannot take is a 400 naming the largest allowed rank, not std::bad_alloc", async () => {
    const h = await createTinkerHandler({ engine, checkpointDir: join(dir, "rank"), models: [MODEL] });
    try {
      const s = await session(h);
      const body = { session_id: s, model_seq_id: 0, base_model: MODEL, lora_config: { rank: 1e9 } };
      const r = await call(h, "POST", "create_model", body);
      expect(r.status).toBe(400);
      expect(r.json.detail).toMatch(/lora_config\.rank: 1000000000 .*from 1 to 256/);
      const ok = await submitAndWait(h, "create_model", { ...body, lora_config: { rank: 256 } });
      expect(ok.json.model_id).toBe(`${s}:train:0`);
    } finally {
      await h.close();
    }
  });

  it("checkpoint tmp/ left by killed saves is swept when the server starts", async () => {
    const root = join(dir, "sweep");
    const orphans = ["1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", "999999999-0a1b", "4194304-partial-old"];
    for (const o of orphans) {
      await mkdir(join(root, "tmp", o), { recursive: true });
      await writeFile(join(root, "tmp", o, "adapter.safetensors"), new Uint8Array(1024));
    }
    const live = `${process.ppid}-a-save-of-another-live-server`; // shared checkpoint dirs: kept
    await mkdir(join(root, "tmp", live));
    const h = await createTinkerHandler({ engine, checkpointDir: root, models: [MODEL] });
    await h.close();
    expect(await readdir(join(root, "tmp"))).toEqual([live]);
  });

  it("a seq_id gap fails after the deadline with a message naming the missing seq_id; the buffer is capped", async () => {
    const h = await createTinkerHandler({
      engine,
      checkpointDir: join(dir, "gap"),
      models: [MODEL],
      limits: { seqGapTimeoutMs: 300, maxBufferedPerModel: 2 },
    });
    try {
      const s = await session(h);
      const model = (
        await submitAndWait(h, "create_model", {
          session_id: s,
          model_seq_id: 0,
          base_model: MODEL,
          lora_config: { rank: 2 },
        })
      ).json.model_id;
      const step = (seq: number) => ({
        model_id: model,
        seq_id: seq,
        adam_params: { learning_rate: 1e-3 },
      });
      const first = await call(h, "POST", "optim_step", step(900));
      expect(first.status).toBe(200);
      expect((await call(h, "POST", "optim_step", step(901))).status).toBe(200);
      const over = await call(h, "POST", "optim_step", step(902));
      expect(over.status).toBe(400);
      expect(over.json.detail).toMatch(/waiting for seq_id 1: 2 later requests/);
      const failed = await waitFuture(h, first.json.request_id);
      expect(failed.json.category).toBe("user");
      expect(failed.json.error).toMatch(
        /waiting for seq_id 1: it did not arrive within 300 ms.*seq_id 900, 901/,
      );
      // The model is not wedged: the missing seq still runs when it comes.
      const late = await submitAndWait(h, "optim_step", step(1));
      expect(late.json.metrics).toBeDefined();
    } finally {
      await h.close();
    }
  });

  it("API keys: constant-time digest check; with several keys a run belongs to its creator unless shared", async () => {
    const auth = new ApiKeyAuth(["alice", "bob"]);
    const a = auth.check("alice");
    const b = auth.check("bob");
    expect(a.ok && b.ok).toBe(true);
    expect(a.ok && a.principal).toMatch(/^key:[0-9a-f]{16}$/);
    expect(a.ok && b.ok && a.principal !== b.principal).toBe(true);
    expect(JSON.stringify(a)).not.toContain("alice"); // the fingerprint, never the key, is stored in run.json
    expect(auth.check("alic").ok).toBe(false);
    expect(auth.check(undefined).ok).toBe(false);
    expect(new ApiKeyAuth(["alice", "bob"], { shared: true }).check("bob")).toEqual({
      ok: true,
      principal: undefined,
    });

    for (const shared of [false, true]) {
      const server = await startLocalServer({
        engine,
        checkpointDir: join(dir, `keys-${shared}`),
        models: [MODEL],
        apiKeys: ["alice", "bob"],
        sharedKeys: shared,
      });
      const alice = new ServiceClient({ baseUrl: server.url, apiKey: "alice" });
      const bob = new ServiceClient({ baseUrl: server.url, apiKey: "bob" });
      try {
        const tc = await alice.createLoraTrainingClient({ baseModel: MODEL, rank: 2, seed: 0 });
        const { path } = await tc.saveState("mine");
        const headers = { "x-api-key": "bob", "content-type": "application/json" };
        const get = (p: string) => fetch(`${server.url}/api/v1/${p}`, { headers });
        const bobRest = bob.createRestClient();
        if (!shared) {
          expect((await get(`training_runs/${tc.modelId}`)).status).toBe(404);
          expect((await get(`training_runs/${tc.modelId}/checkpoints/weights/mine/archive`)).status).toBe(
            404,
          );
          expect((await bobRest.listTrainingRuns()).trainingRuns).toEqual([]);
          expect((await bobRest.listUserCheckpoints()).checkpoints).toEqual([]);
          await expect(bob.createSamplingClient({ modelPath: path })).rejects.toThrow(/does not exist/);
          const fb = await fetch(`${server.url}/api/v1/forward_backward`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              model_id: tc.modelId,
              seq_id: 9,
              forward_backward_input: {
                data: [createDatum(ModelInput.fromInts([1, 2]), { target_tokens: [2, 3] })],
                loss_fn: "cross_entropy",
              },
            }),
          });
          expect(fb.status).toBe(404);
          const poll = await fetch(`${server.url}/api/v1/retrieve_future`, {
            method: "POST",
            headers,
            body: JSON.stringify({ request_id: `req:${tc.modelId}:1` }),
          });
          expect(poll.status).toBe(404);
          const del = await fetch(
            `${server.url}/api/v1/training_runs/${tc.modelId}/checkpoints/weights/mine`,
            {
              method: "DELETE",
              headers,
            },
          );
          expect(del.status).toBe(404);
          // A public checkpoint is readable by others, as on the hosted service.
          await alice.createRestClient().publishCheckpointFromTinkerPath(path);
          expect((await bobRest.getWeightsInfoByTinkerPath(path)).baseModel).toBe(MODEL);
        } else {
          expect((await bobRest.listTrainingRuns()).trainingRuns.map((r) => r.trainingRunId)).toEqual([
            tc.modelId,
          ]);
        }
        expect((await alice.createRestClient().listTrainingRuns()).trainingRuns).toHaveLength(1);
      } finally {
        await alice.close();
        await bob.close();
        await server.close();
      }
    }
  });
});
