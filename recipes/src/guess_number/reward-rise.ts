// guess_number's reward rise on the embedded backend: a format-only warm start of tiny-bytes (warm-start.ts), then
// `crucible run guess_number` from that state; returns the warm start's NLL, the RL run's per-step reward and the
// parse rate of the warm and the final weights (parse-rate.ts). The e2e test and the by-hand measurement
// (reward-rise-by-hand.ts) share these settings.
import { join } from "node:path";
import { getLastCheckpoint } from "@crucible/train";
import { runCli } from "../cli/app.js";
import { commands } from "../cli/commands.js";
import { openBackend } from "../common/backend.js";
import { supervisedWarmStart, type WarmStartResult } from "../common/warm-start.js";
import { rendererFor } from "../math_rl/run.js";
import { readJsonl } from "../testing/e2e.js";
import { openingParseRate } from "./parse-rate.js";
import { guessFormatDatums } from "./warm-start.js";

export const GUESS_RISE = {
  model: "crucible/tiny-bytes",
  renderer: "role_colon",
  warm: { datums: 8, steps: 40, learningRate: 3e-3, gradClipNorm: 1 },
  rl: {
    batch_size: 4,
    group_size: 8,
    max_tokens: 10,
    max_turns: 1,
    learning_rate: 5e-4,
    max_steps: 24,
  },
  /** Opening replies sampled per checkpoint for openingParseRate. */
  evalSamples: 256,
};
export type GuessRiseSettings = typeof GUESS_RISE;

export interface GuessRiseResult {
  warmNll: number[];
  /** `env/all/reward/total` (mean episode reward) per RL step. */
  reward: number[];
  /** openingParseRate of the warm start and of the RL run's final weights (null if the run failed). */
  parseRate: { warm: number; final: number } | null;
  code: number;
  err: string[];
  logPath: string;
}

/** Runs the warm start and the RL run under `dir` (the local backend's store must already point inside it). */
export async function guessRewardRise(
  dir: string,
  s: GuessRiseSettings = GUESS_RISE,
): Promise<GuessRiseResult> {
  const renderer = await rendererFor(s.model, s.renderer);
  const session = await openBackend("local", null, [s.model]);
  let warm: WarmStartResult;
  try {
    warm = await supervisedWarmStart({
      service: session.service,
      baseModel: s.model,
      datums: guessFormatDatums(renderer, s.warm.datums),
      steps: s.warm.steps,
      learningRate: s.warm.learningRate,
      gradClipNorm: s.warm.gradClipNorm,
      logPath: join(dir, "warm"),
    });
  } finally {
    await session.close();
  }
  const logPath = join(dir, "rl");
  const err: string[] = [];
  const code = await runCli(
    [
      "run",
      "guess_number",
      "backend=local",
      `model_name=${s.model}`,
      `renderer_name=${s.renderer}`,
      `load_checkpoint_path=${warm.statePath}`,
      ...Object.entries(s.rl).map(([k, v]) => `${k}=${v}`),
      "eval_every=0",
      "save_every=0",
      `log_path=${logPath}`,
    ],
    commands,
    { out: () => {}, err: (l) => err.push(l) },
  );
  if (code !== 0) return { warmNll: warm.nll, reward: [], parseRate: null, code, err, logPath };
  const reward = readJsonl(join(logPath, "metrics.jsonl")).map((m) => m["env/all/reward/total"] as number);
  const final = getLastCheckpoint(logPath, "sampler_path")?.samplerPath;
  if (!final) throw new Error(`guessRewardRise: the RL run left no sampler checkpoint in ${logPath}`);
  const evalSession = await openBackend("local", null, [s.model]);
  try {
    const rate = async (modelPath: string) =>
      openingParseRate(
        await evalSession.service.createSamplingClient({ modelPath }),
        renderer,
        s.evalSamples,
        s.rl.max_tokens,
      );
    const parseRate = { warm: await rate(warm.samplerPath), final: await rate(final) };
    return { warmNll: warm.nll, reward, parseRate, code, err, logPath };
  } finally {
    await evalSession.close();
  }
}
