// Continuous batching through the protocol: concurrent asample requests on one sampling session decode as one
// batch (one scheduler turn) and each gets what it gets alone; bad requests fail alone; a training step queued
// meanwhile is not starved.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { LocalSampler } from "../engine/sampler.js";
import type { Engine, Sampler } from "../engine/types.js";
import { createTinkerHandler, type TinkerHandler } from "./handler.js";
import { call, submitAndWait, waitFuture } from "./test-support.js";

const MODEL = "crucible/tiny-qwen3";

describe("Tinker handler: concurrent sampling requests decode as one batch", () => {
  let engine: Engine;
  let h: TinkerHandler;
  let dir: string;
  let session: string;
  let model: string;
  const samplers: Sampler[] = []; // the engine's samplers, to read their batch counters
  let seq = 1;

  beforeAll(async () => {
    const real = createEngine();
    engine = Object.assign(Object.create(real) as Engine, {
      createSampler: async (base: string, adapterDir?: string) => {
        const s = await real.createSampler(base, adapterDir);
        samplers.push(s);
        return s;
      },
    });
    dir = await mkdtemp(join(tmpdir(), "handler-batching-"));
    h = await createTinkerHandler({ engine, checkpointDir: dir, models: [MODEL] });
    session = (
      await call(h, "POST", "create_session", { tags: [], user_metadata: {}, sdk_version: "0.25.0" })
    ).json.session_id;
    model = (
      await submitAndWait(h, "create_model", {
        session_id: session,
        model_seq_id: 0,
        base_model: MODEL,
        lora_config: { rank: 4, seed: 1 },
      })
    ).json.model_id;
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const body = (sid: string, i: number, extra: Record<string, unknown> = {}) => ({
    sampling_session_id: sid,
    seq_id: seq++,
    num_samples: 1 + (i % 3),
    prompt: { chunks: [{ type: "encoded_text", tokens: [11 + i, 22, 33, 44].slice(0, 2 + (i % 3)) }] },
    sampling_params: { max_tokens: 5 + 3 * i, seed: 100 + i, temperature: 1, stop: i === 2 ? ["e"] : null },
    ...extra,
  });

  it("each request gets its solo result; they shared native decode calls; errors stay with their request", async () => {
    const sid = (
      await submitAndWait(h, "save_weights_for_sampler", {
        model_id: model,
        seq_id: 1,
        sampling_session_seq_id: 0,
      })
    ).json.sampling_session_id as string;
    expect(sid).toBeTruthy();
    const n = 6;
    const alone = [];
    for (let i = 0; i < n; i++) alone.push((await submitAndWait(h, "asample", body(sid, i))).json);
    const sampler = samplers.at(-1) as LocalSampler;
    const before = sampler.batchStats;
    const bad = [
      body(sid, 0, { prompt: { chunks: [{ type: "encoded_text", tokens: [1, 9_999_999] }] } }),
      body(sid, 0, { num_samples: "two" }),
    ];
    const submitted = await Promise.all(
      [...alone.keys()]
        .map((i) => body(sid, i))
        .flatMap((b, i) => (i === 2 ? [b, ...bad] : [b]))
        .map((b) => call(h, "POST", "asample", b)),
    );
    const answers = await Promise.all(submitted.map((s) => waitFuture(h, s.json.request_id)));
    const bads = answers.splice(3, 2);
    expect(answers.map((a) => a.json)).toEqual(alone);
    for (const b of bads) expect(b.json.category).toBe("user");
    expect(bads[0]?.json.error).toMatch(/token id 9999999/);
    const after = sampler.batchStats;
    expect(after.peakRequests).toBeGreaterThan(1);
    expect(after.calls - before.calls).toBeLessThan(n);
  }, 60_000);

  it("a training step submitted while a decode runs is served before requests arriving later join", async () => {
    const sid = (
      await call(h, "POST", "create_sampling_session", {
        session_id: session,
        sampling_session_seq_id: 1,
        base_model: MODEL,
      })
    ).json.sampling_session_id as string;
    const order: string[] = [];
    const track = async (name: string, p: Promise<{ json: { request_id: string } }>) => {
      const r = await waitFuture(h, (await p).json.request_id);
      order.push(name);
      return r;
    };
    const long = track(
      "long",
      call(h, "POST", "asample", body(sid, 0, { sampling_params: { max_tokens: 200, seed: 1 } })),
    );
    const known = samplers.length;
    // wait until its decode runs (the base-model sampler is created for it)
    while (!(samplers.length > known && (samplers.at(-1) as LocalSampler).decoding > 0))
      await new Promise((r) => setTimeout(r, 1));
    const fwd = track(
      "forward",
      call(h, "POST", "forward", {
        model_id: model,
        seq_id: 2,
        forward_input: {
          data: [
            {
              model_input: { chunks: [{ type: "encoded_text", tokens: [1, 2, 3] }] },
              loss_fn_inputs: {
                target_tokens: { data: [2, 3, 4], dtype: "int64" },
                weights: { data: [1, 1, 1], dtype: "float32" },
              },
            },
          ],
          loss_fn: "cross_entropy",
        },
      }),
    );
    const late = track(
      "late",
      call(h, "POST", "asample", body(sid, 1, { sampling_params: { max_tokens: 2, seed: 2 } })),
    );
    await Promise.all([long, fwd, late]);
    // the late request did not join the running decode: the waiting forward went first
    expect(order.indexOf("forward")).toBeLessThan(order.indexOf("late"));
  }, 60_000);
});
