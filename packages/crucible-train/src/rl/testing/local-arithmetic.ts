// Shared by the RL end-to-end tests and tools/bench/rl: an embedded local backend, a tiny model and a short
// SL warm start that teaches it the arithmetic answer format (" <sum>\n\nUser:").
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARITHMETIC_FEWSHOT, RandomState } from "@crucible/env";
import {
  getRenderer,
  getTokenizerSync,
  type Message,
  type Renderer,
  type Tokenizer,
} from "@crucible/renderers";
import { type Datum, ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend, type LocalBackend } from "@crucible/tinker-local";
import { computeMeanNll } from "../../supervised/common.js";
import { conversationToDatum } from "../../supervised/conversation.js";
import type { RLTrainingClient } from "../clients.js";

export const TINY_MODEL = "crucible/tiny-qwen3";

export interface LocalSetup {
  backend: LocalBackend;
  service: ServiceClient;
  tokenizer: Tokenizer;
  renderer: Renderer;
  dir: string;
  close(): Promise<void>;
}

export async function startLocal(
  prefix = "crucible-rl-",
  existingDir?: string,
  tokenizerName = "Qwen/Qwen3-8B",
): Promise<LocalSetup> {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), prefix));
  const backend = await createLocalBackend({ checkpointDir: join(dir, "store") });
  const service = new ServiceClient({ ...backend.clientOptions });
  const tokenizer = getTokenizerSync(tokenizerName);
  const renderer = getRenderer("role_colon", tokenizer);
  return {
    backend,
    service,
    tokenizer,
    renderer,
    dir,
    async close() {
      await service.close();
      await backend.close();
    },
  };
}

/** One SL datum `[...prefix, user "What is x + y?", assistant "<x+y>"]`, trained on the answer only. */
export function additionDatum(
  renderer: Renderer,
  x: number,
  y: number,
  prefix: readonly Message[] = [],
): Datum {
  return conversationToDatum(
    [
      ...prefix,
      { role: "user", content: `What is ${x} + ${y}?` },
      { role: "assistant", content: String(x + y) },
    ],
    renderer,
    null,
    "last_assistant_message",
    "mean",
  );
}

/** SL datums with the cookbook's few-shot prefix and x, y from MT19937(seed). */
export function arithmeticSlBatch(renderer: Renderer, n: number, seed: number): Datum[] {
  const rng = new RandomState(seed);
  return Array.from({ length: n }, () => {
    const x = rng.randint(0, 101);
    const y = rng.randint(0, 101);
    return additionDatum(renderer, x, y, ARITHMETIC_FEWSHOT);
  });
}

/**
 * A few cross-entropy steps on arithmetic answers; returns the mean NLL per step. `batch(step)` supplies the
 * data (default: `arithmeticSlBatch` seeded with seed + step).
 */
export async function slWarmStart(
  tc: RLTrainingClient,
  renderer: Renderer,
  opts: {
    steps: number;
    batchSize: number;
    learningRate: number;
    seed?: number;
    batch?: (step: number) => Datum[];
  },
): Promise<number[]> {
  const batch =
    opts.batch ?? ((s: number) => arithmeticSlBatch(renderer, opts.batchSize, (opts.seed ?? 1000) + s));
  const nll: number[] = [];
  for (let s = 0; s < opts.steps; s++) {
    const data = batch(s);
    const out = await tc.forwardBackward(data, "cross_entropy");
    await tc.optimStep({ learningRate: opts.learningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    nll.push(
      computeMeanNll(
        out.lossFnOutputs.map((o) => o.logprobs?.data ?? []),
        data.map((d) => d.lossFnInputs.weights?.data ?? []),
      ),
    );
  }
  return nll;
}
