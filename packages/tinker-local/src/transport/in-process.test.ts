import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatum, type Datum, ModelInput, ServiceClient, type Transport } from "@crucible/tinker-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { createTinkerHandler } from "../server/handler.js";
import { createInProcessTransport } from "./in-process.js";
import { createLocalBackend } from "./local-backend.js";

const MODEL = "crucible/tiny-qwen3";
const batch: Datum[] = [
  createDatum(ModelInput.fromInts([7, 8, 9, 10, 11, 12]), {
    target_tokens: [8, 9, 10, 11, 12, 13],
    weights: [1, 1, 1, 1, 1, 1],
  }),
];

/** Trains a fresh seeded client a few steps and samples once; returns everything observable. */
async function run(svc: ServiceClient) {
  const tc = await svc.createLoraTrainingClient({ baseModel: MODEL, rank: 4, seed: 11 });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const fb = tc.forwardBackward(batch, "cross_entropy");
    const opt = tc.optimStep({ learningRate: 0.05 });
    losses.push((await fb).metrics["loss:sum"] as number);
    await opt;
  }
  const sc = await tc.saveWeightsAndGetSamplingClient();
  const sample = await sc.sample({
    prompt: ModelInput.fromInts([7, 8, 9]),
    numSamples: 2,
    samplingParams: { maxTokens: 5, seed: 5 },
  });
  const saved = await tc.saveState("final");
  const archive = await svc.createRestClient().getCheckpointArchiveUrl(tc.modelId, "weights/final");
  return {
    losses,
    tokens: sample.sequences.map((s) => s.tokens),
    path: saved.path,
    archive: archive.url,
    modelId: tc.modelId,
    baseModel: await sc.getBaseModel(),
  };
}

describe("in-process transport (createLocalBackend)", () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = createEngine();
    dir = await mkdtemp(join(tmpdir(), "in-process-"));
  });
  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives a ServiceClient the same behaviour as loopback HTTP, with no sockets", async () => {
    const local = await createLocalBackend({ engine, checkpointDir: join(dir, "a"), models: [MODEL] });
    expect(local.baseUrl).toBeUndefined();
    const svcA = new ServiceClient(local.clientOptions);
    const viaTransport = await run(svcA);
    await svcA.close();
    await local.close();

    const http = await createLocalBackend({
      engine,
      checkpointDir: join(dir, "b"),
      models: [MODEL],
      inProcess: false,
    });
    expect(http.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const svcB = new ServiceClient(http.clientOptions);
    const viaHttp = await run(svcB);
    await svcB.close();
    await http.close();

    expect(viaTransport.losses[2]).toBeLessThan(viaTransport.losses[0] as number);
    expect(viaTransport.losses).toEqual(viaHttp.losses);
    expect(viaTransport.tokens).toEqual(viaHttp.tokens);
    expect(viaTransport.path).toMatch(/^tinker:\/\/.+:train:0\/weights\/final$/);
    // In-process there is no host to point at: the signed URL is relative; over HTTP it names the server.
    expect(viaTransport.archive).toMatch(
      /^\/api\/v1\/checkpoint_archive\?path=.*weights%2Ffinal&expires=\d+&signature=/,
    );
    expect(viaHttp.archive.startsWith(`${http.baseUrl}/api/v1/checkpoint_archive?`)).toBe(true);
    expect(viaTransport.baseModel).toBe(MODEL);
  });

  it("the client's RestClient works against the store: runs, checkpoints, weights info, publish, TTL, delete", async () => {
    const local = await createLocalBackend({ engine, checkpointDir: join(dir, "rest"), models: [MODEL] });
    const svc = new ServiceClient(local.clientOptions);
    try {
      const { path, modelId } = await run(svc);
      const rest = svc.createRestClient();
      expect((await rest.listTrainingRuns()).trainingRuns.map((r) => r.trainingRunId)).toEqual([modelId]);
      const runInfo = await rest.getTrainingRunByTinkerPath(path);
      expect(runInfo).toMatchObject({ baseModel: MODEL, isLora: true, loraRank: 4 });
      expect(runInfo.lastCheckpoint?.tinkerPath).toBe(path);
      expect(await rest.getWeightsInfoByTinkerPath(path)).toMatchObject({
        baseModel: MODEL,
        isLora: true,
        loraRank: 4,
      });
      await rest.publishCheckpointFromTinkerPath(path);
      await rest.setCheckpointTtlFromTinkerPath(path, 3600);
      const [ck] = (await rest.listUserCheckpoints()).checkpoints;
      expect(ck).toMatchObject({ checkpointId: "weights/final", checkpointType: "training", public: true });
      expect(ck?.expiresAt).toBeTruthy();
      await rest.unpublishCheckpointFromTinkerPath(path);
      await rest.deleteCheckpointFromTinkerPath(path);
      expect((await rest.listCheckpoints(modelId)).checkpoints).toEqual([]);
      await expect(rest.deleteCheckpointFromTinkerPath(path)).rejects.toThrow(/does not exist/);
      const session = await svc.sessionId();
      expect((await rest.getSession(session)).trainingRunIds).toEqual([modelId]);
    } finally {
      await svc.close();
      await local.close();
    }
  });

  it("sampling backpressure: the server's 429s make the client back off, and every sample still completes", async () => {
    const local = await createLocalBackend({
      engine,
      checkpointDir: join(dir, "bp"),
      models: [MODEL],
      limits: { maxQueuedSamples: 1, maxBatchRows: 1 }, // no merging: concurrent requests queue
    });
    const inner = local.transport as Transport;
    let rejected = 0;
    const counting: Transport = {
      async request(req) {
        const res = await inner.request(req);
        if (res.status === 429) rejected++;
        return res;
      },
    };
    const svc = new ServiceClient({ transport: counting });
    try {
      const sc = await svc.createSamplingClient({ baseModel: MODEL });
      const prompt = ModelInput.fromInts([7, 8, 9]);
      const outs = await Promise.all(
        [1, 2, 3, 4].map((seed) =>
          sc.sample({ prompt, numSamples: 1, samplingParams: { maxTokens: 3, seed } }),
        ),
      );
      expect(outs.map((o) => o.sequences[0]?.tokens.length)).toEqual([3, 3, 3, 3]);
      expect(rejected).toBeGreaterThan(0); // the queue limit was hit and answered 429
      const again = await sc.sample({ prompt, numSamples: 1, samplingParams: { maxTokens: 3, seed: 4 } });
      expect(again.sequences[0]?.tokens).toEqual(outs[3]?.sequences[0]?.tokens);
    } finally {
      await svc.close();
      await local.close();
    }
  });

  it("enforces an API-key list like the HTTP server", async () => {
    const handler = await createTinkerHandler({ engine, checkpointDir: join(dir, "keys"), models: [MODEL] });
    const t = createInProcessTransport(handler, { apiKeys: ["k1"], ownsHandler: true });
    const get = (path: string, headers: Record<string, string> = {}) =>
      t.request({ method: "GET", path, headers });
    expect((await get("/api/v1/healthz")).status).toBe(200);
    expect((await get("/api/v1/get_server_capabilities")).status).toBe(401);
    expect((await get("/api/v1/get_server_capabilities", { "x-api-key": "nope" })).status).toBe(401);
    expect((await get("/api/v1/get_server_capabilities", { "x-api-key": "k1" })).status).toBe(200);
    await t.close?.();
  });

  it("after close the transport refuses requests", async () => {
    const local = await createLocalBackend({ engine, checkpointDir: join(dir, "c"), models: [MODEL] });
    await local.close();
    await expect(
      local.transport?.request({ method: "GET", path: "/api/v1/healthz", headers: {} }),
    ).rejects.toThrow(/closed/);
  });
});
