import { describe, expect, it } from "vitest";
import { WireFormatError } from "../../errors.js";
import { ModelInput } from "../../types/model-input.js";
import { decodeForwardBackwardJson, encodeForwardBackwardJson } from "./forward-backward.js";
import { classifyFutureAnswer, JsonCodecs as J } from "./messages.js";

// Bodies captured from the Python SDK 0.25 (protocol spec §2).
const captured = {
  createSession: { tags: [], user_metadata: {}, sdk_version: "0.25.0", type: "create_session" },
  createModel: {
    session_id: "sess-abc",
    model_seq_id: 0,
    base_model: "Qwen/Qwen3-8B",
    lora_config: { rank: 8, seed: 3, train_unembed: false, train_mlp: true, train_attn: true },
    type: "create_model",
  },
  optimStep: {
    adam_params: {
      learning_rate: 0.0001,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-12,
      weight_decay: 0.0,
      grad_clip_norm: 0.0,
    },
    model_id: "sess-abc:train:0",
    seq_id: 2,
    type: "optim_step",
  },
  saveWeights: {
    model_id: "sess-abc:train:0",
    path: "ckpt1",
    seq_id: 5,
    ttl_seconds: 3600,
    overwrite: false,
    type: "save_weights",
  },
  samplerEphemeral: {
    model_id: "m",
    sampling_session_seq_id: 0,
    seq_id: 8,
    type: "save_weights_for_sampler",
  },
  loadWeights: {
    model_id: "m",
    seq_id: 7,
    path: "tinker://sess-abc:train:0/weights/ckpt1",
    optimizer: true,
    type: "load_weights",
  },
  createSamplingSession: {
    session_id: "sess-abc",
    sampling_session_seq_id: 1,
    base_model: "Qwen/Qwen3-8B",
    type: "create_sampling_session",
  },
  sample: {
    num_samples: 2,
    prompt: { chunks: [{ tokens: [1, 2, 3], type: "encoded_text" }] },
    sampling_params: { max_tokens: 5, seed: 1, stop: ["\n"], temperature: 0.7, top_k: -1, top_p: 1.0 },
    sampling_session_id: "sess-abc:sample:0",
    seq_id: 0,
    prompt_logprobs: false,
    topk_prompt_logprobs: 0,
    type: "sample",
  },
  sampleImage: {
    num_samples: 1,
    prompt: {
      chunks: [
        { tokens: [1], type: "encoded_text" },
        { data: "iVBORw==", format: "png", expected_tokens: 4, type: "image" },
      ],
    },
    sampling_params: { max_tokens: 2, temperature: 1.0, top_k: -1, top_p: 1.0 },
    sampling_session_id: "sess-abc:sample:1",
    seq_id: 0,
    prompt_logprobs: false,
    topk_prompt_logprobs: 0,
    type: "sample",
  },
};

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;

describe("JSON codecs against captured SDK bodies", () => {
  const cases = [
    [J.createSessionRequest, captured.createSession],
    [J.createModelRequest, captured.createModel],
    [J.optimStepRequest, captured.optimStep],
    [J.saveWeightsRequest, captured.saveWeights],
    [J.saveWeightsForSamplerRequest, captured.samplerEphemeral],
    [J.loadWeightsRequest, captured.loadWeights],
    [J.createSamplingSessionRequest, captured.createSamplingSession],
    [J.sampleRequest, captured.sample],
    [J.sampleRequest, captured.sampleImage],
  ] as const;
  for (const [codec, body] of cases) {
    it(`${codec.name}: decode then encode gives the captured body`, () => {
      const value = (codec.decode as (j: unknown) => unknown)(body);
      expect(sortKeys((codec.encode as (v: unknown) => unknown)(value))).toEqual(sortKeys(body));
    });
  }

  it("decodes to camelCase with defaults applied", () => {
    expect(J.createModelRequest.decode(captured.createModel).loraConfig).toEqual({
      rank: 8,
      seed: 3,
      trainUnembed: false,
      trainMlp: true,
      trainAttn: true,
    });
    const opt = J.optimStepRequest.encode({ adamParams: { learningRate: 1e-3 }, modelId: "m", seqId: 1 });
    expect(opt.adam_params).toEqual({
      learning_rate: 1e-3,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-12,
      weight_decay: 0,
      grad_clip_norm: 0,
    });
    expect(opt.type).toBe("optim_step");
  });

  it("keeps user-chosen map keys verbatim (loss inputs/outputs, metrics)", () => {
    const out = {
      lossFnOutputType: "T",
      lossFnOutputs: [{ elementwise_loss: { dtype: "float32" as const, data: [1] } }],
      metrics: { "loss:sum": 1 },
    };
    const wire = J.forwardBackwardOutput.encode(out);
    expect(wire).toEqual({
      loss_fn_output_type: "T",
      loss_fn_outputs: [{ elementwise_loss: { dtype: "float32", data: [1] } }],
      metrics: { "loss:sum": 1 },
    });
    expect(J.forwardBackwardOutput.decode(wire)).toEqual(out);
  });

  it("legacy forward_backward / forward JSON bodies", () => {
    const wire = {
      forward_backward_input: {
        data: [
          {
            loss_fn_inputs: {
              target_tokens: { data: [2, 3, 4, 5], dtype: "int64", shape: [4] },
              weights: { data: [0.0, 1.0, 1.0, 1.0], dtype: "float32", shape: [4] },
            },
            model_input: { chunks: [{ tokens: [1, 2, 3, 4], type: "encoded_text" }] },
          },
        ],
        loss_fn: "cross_entropy",
        loss_fn_config: { k: 0.5 },
      },
      model_id: "m",
      seq_id: 1,
    };
    const req = decodeForwardBackwardJson(wire);
    expect(req.forwardOnly).toBe(false);
    expect(ModelInput.toInts(req.data[0]!.modelInput)).toEqual([1, 2, 3, 4]);
    expect(sortKeys(encodeForwardBackwardJson(req))).toEqual(sortKeys(wire));
    const fwd = { forward_input: wire.forward_backward_input, model_id: "m", seq_id: 2 };
    expect(decodeForwardBackwardJson(fwd, "forward").forwardOnly).toBe(true);
    expect(encodeForwardBackwardJson(req, "forward")).toHaveProperty("forward_input");
  });

  it("null means absent except for ttl_seconds", () => {
    expect(J.setCheckpointTtlRequest.encode({ ttlSeconds: null })).toEqual({ ttl_seconds: null });
    expect(J.setCheckpointTtlRequest.decode({ ttl_seconds: null })).toEqual({ ttlSeconds: null });
    expect(J.optimStepResponse.decode({ metrics: null })).toEqual({});
  });

  it("bad bodies fail with the snake_case field and the problem", () => {
    const bad = { ...captured.sample, sampling_params: { ...captured.sample.sampling_params, top_p: 2 } };
    expect(() => J.sampleRequest.decode(bad)).toThrow(WireFormatError);
    expect(() => J.sampleRequest.decode(bad)).toThrow(/field "sampling_params.top_p"/);
    expect(() =>
      J.createSamplingSessionRequest.decode({ session_id: "s", sampling_session_seq_id: 0 }),
    ).toThrow(/base_model or model_path/);
    expect(() => J.createModelRequest.decode([])).toThrow(/expected a JSON object, got an array/);
    let thrown: unknown;
    try {
      J.loadWeightsRequest.decode({ ...captured.loadWeights, path: "s3://x" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown, "an s3:// path is not a tinker:// path").toBeInstanceOf(WireFormatError);
    expect((thrown as WireFormatError).field).toBe("path");
  });
});

describe("retrieve_future answers", () => {
  const result = (j: unknown) => J.saveWeightsResponse.decode(j);
  it("classifies try_again, complete_metadata, failures and results", () => {
    expect(
      classifyFutureAnswer({ type: "try_again", request_id: "r", queue_state: "paused_capacity" }, result),
    ).toEqual({
      kind: "try_again",
      value: { type: "try_again", requestId: "r", queueState: "paused_capacity" },
    });
    expect(classifyFutureAnswer({ status: "complete_metadata", response_payload_size: 9 }, result).kind).toBe(
      "complete_metadata",
    );
    expect(classifyFutureAnswer({ error: "boom", category: "USER" }, result)).toEqual({
      kind: "failed",
      value: { error: "boom", category: "unknown" },
    });
    expect(classifyFutureAnswer({ error: "boom", category: "server" }, result)).toEqual({
      kind: "failed",
      value: { error: "boom", category: "server" },
    });
    expect(classifyFutureAnswer({ path: "tinker://a/weights/b", type: "save_weights" }, result)).toEqual({
      kind: "result",
      value: { path: "tinker://a/weights/b" },
    });
    expect(() => classifyFutureAnswer({ nope: 1 }, result)).toThrow(/SaveWeightsResponse: field "path"/);
  });
});
