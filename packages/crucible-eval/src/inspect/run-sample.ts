// One sample, one epoch: the solver chain builds the conversation and output, every scorer scores it, and the
// result is the sample's Inspect EvalSample record (its transcript). Failures are retried; the last one is
// recorded as the sample's error rather than ending the evaluation.
import { randomUUID } from "node:crypto";
import type { InspectChatMessage, InspectEvalSample, InspectScore } from "./log-types.js";
import type { ChatModel } from "./model.js";
import type { Generate, Sample, Scorer, Solver, TaskConfig, TaskState } from "./types.js";
import { asTargets, initialMessages } from "./types.js";

export function newState(sample: Sample, epoch: number, model: string): TaskState {
  return {
    sample,
    epoch,
    messages: initialMessages(sample),
    output: { model, completion: "", stopReason: "unknown", inputTokens: 0, outputTokens: 0, time: 0 },
    choices: sample.choices ? [...sample.choices] : [],
    store: {},
    usage: { inputTokens: 0, outputTokens: 0 },
  };
}

export function generateWith(model: ChatModel, defaults: TaskConfig): Generate {
  return async (state, config = {}) => {
    const out = await model.generate(state.messages, {
      ...(defaults.maxTokens !== undefined ? { maxTokens: defaults.maxTokens } : {}),
      ...(defaults.temperature !== undefined ? { temperature: defaults.temperature } : {}),
      ...config,
    });
    state.output = out;
    state.messages.push({ role: "assistant", content: out.completion });
    state.usage.inputTokens += out.inputTokens;
    state.usage.outputTokens += out.outputTokens;
    return state;
  };
}

export interface RunSampleArgs {
  sample: Sample;
  epoch: number;
  model: ChatModel;
  solvers: readonly Solver[];
  scorers: readonly Scorer[];
  config: TaskConfig;
  retries: number;
}

const usageOf = (s: TaskState) => ({
  input_tokens: s.usage.inputTokens,
  output_tokens: s.usage.outputTokens,
  total_tokens: s.usage.inputTokens + s.usage.outputTokens,
});

function toInspectMessages(state: TaskState, model: string): InspectChatMessage[] {
  const nInput = initialMessages(state.sample).length;
  return state.messages.map((m, i) =>
    m.role === "assistant"
      ? { role: m.role, content: m.content, source: "generate", model }
      : { role: m.role, content: m.content, ...(i < nInput ? { source: "input" as const } : {}) },
  );
}

export async function runSample(a: RunSampleArgs): Promise<InspectEvalSample> {
  const started = new Date();
  const t0 = performance.now();
  let lastError: unknown;
  let state = newState(a.sample, a.epoch, a.model.name);
  for (let attempt = 0; attempt <= a.retries; attempt++) {
    state = newState(a.sample, a.epoch, a.model.name);
    try {
      const gen = generateWith(a.model, a.config);
      for (const s of a.solvers) state = await s.solve(state, gen);
      const scores: Record<string, InspectScore> = {};
      for (const sc of a.scorers) {
        const r = await sc.score(state, asTargets(a.sample.target));
        scores[sc.name] = {
          value: r.value,
          ...(r.answer !== undefined ? { answer: r.answer } : {}),
          ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
          ...(r.metadata !== undefined ? { metadata: r.metadata } : {}),
        };
      }
      return record(a, state, started, t0, scores, null);
    } catch (e) {
      lastError = e;
    }
  }
  const err = lastError instanceof Error ? lastError : new Error(String(lastError));
  return record(a, state, started, t0, null, {
    message: err.message,
    traceback: err.stack ?? err.message,
    traceback_ansi: err.stack ?? err.message,
  });
}

function record(
  a: RunSampleArgs,
  state: TaskState,
  started: Date,
  t0: number,
  scores: Record<string, InspectScore> | null,
  error: InspectEvalSample["error"],
): InspectEvalSample {
  const o = state.output;
  const seconds = (performance.now() - t0) / 1000;
  return {
    id: a.sample.id,
    epoch: a.epoch,
    input:
      typeof a.sample.input === "string"
        ? a.sample.input
        : a.sample.input.map((m) => ({ ...m, source: "input" })),
    ...(a.sample.choices ? { choices: a.sample.choices } : {}),
    target: a.sample.target,
    messages: toInspectMessages(state, a.model.name),
    output: {
      model: a.model.name,
      choices:
        o.completion || o.outputTokens
          ? [
              {
                message: {
                  role: "assistant",
                  content: o.completion,
                  source: "generate",
                  model: a.model.name,
                },
                stop_reason: o.stopReason,
              },
            ]
          : [],
      completion: o.completion,
      usage: {
        input_tokens: o.inputTokens,
        output_tokens: o.outputTokens,
        total_tokens: o.inputTokens + o.outputTokens,
      },
      time: o.time,
    },
    scores,
    metadata: a.sample.metadata ?? {},
    store: JSON.parse(JSON.stringify(state.store)) as Record<string, unknown>,
    events: [],
    model_usage: { [a.model.name]: usageOf(state) },
    started_at: started.toISOString(),
    completed_at: new Date().toISOString(),
    total_time: seconds,
    working_time: seconds,
    uuid: randomUUID(),
    error,
    attachments: {},
  };
}
