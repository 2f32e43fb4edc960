// By hand: does a short SFT of crucible/tiny-bytes on "What is x + y?" over [0, MAXOP)² raise the accuracy that
// @crucible/eval's `evaluate(arithmeticTask(...))` measures on those same pairs? Prints accuracy every EVERY steps.
//   CRUCIBLE_ENGINE_THREADS=1 MAXOP=5 STEPS=60 BS=8 LR=3e-3 npx tsx --tsconfig packages/crucible-train/tsconfig.json tools/bench/rl/sft-eval-rise.mts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomState } from "@crucible/env";
import { arithmeticTask, evaluate } from "@crucible/eval";
import { startLocal } from "../../../packages/crucible-train/src/rl/testing/local-arithmetic.ts";
import { conversationToDatum } from "../../../packages/crucible-train/src/supervised/conversation.ts";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const MODEL = "crucible/tiny-bytes";
const STEPS = env("STEPS", 60),
  BS = env("BS", 8),
  LR = env("LR", 3e-3),
  RANK = env("RANK", 32),
  MAXOP = env("MAXOP", 5),
  SEED = env("SEED", 7),
  FEWSHOT = process.env.FEWSHOT === "1",
  LINEAR = process.env.SCHED === "linear"; // chat_sl's lr_schedule=linear: lr × (1 − step/STEPS)
const local = await startLocal("exp-", undefined, MODEL);
const { service, renderer } = local;
const logDir = mkdtempSync(join(tmpdir(), "exp-logs-"));
const task = arithmeticTask({ maxOperand: MAXOP, count: MAXOP * MAXOP, fewshot: FEWSHOT, maxTokens: 4 });
const pairs: [number, number][] = [];
for (let x = 0; x < MAXOP; x++) for (let y = 0; y < MAXOP; y++) pairs.push([x, y]);
const tc = await service.createLoraTrainingClient({ baseModel: MODEL, rank: RANK, seed: SEED } as never);
const rng = new RandomState(SEED);
let round = 0;
async function acc(): Promise<string> {
  const sc = await tc.saveWeightsAndGetSamplingClient();
  const r = await evaluate(task, {
    samplingClient: sc,
    renderer,
    modelName: `r${round++}`,
    logDir,
    progress: false,
  });
  return `acc ${r.metrics["accuracy"]!.toFixed(2)} fmt ${r.metrics["integer_answer/accuracy"]?.toFixed(2)}`;
}
const t0 = performance.now();
console.log(
  `MAXOP=${MAXOP} BS=${BS} LR=${LR} RANK=${RANK} SEED=${SEED} FEWSHOT=${FEWSHOT} LINEAR=${LINEAR}: step 0 ${await acc()}`,
);
for (let s = 0; s < STEPS; s++) {
  const data = Array.from({ length: BS }, () => {
    const [x, y] = pairs[rng.randint(0, pairs.length)]!;
    const conv = [
      { role: "user", content: `What is ${x} + ${y}?` },
      { role: "assistant", content: String(x + y) },
    ];
    return conversationToDatum(conv as never, renderer, null, "last_assistant_message", "mean");
  });
  await tc.forwardBackward(data, "cross_entropy");
  const lr = LINEAR ? LR * (1 - s / STEPS) : LR;
  await tc.optimStep({ learningRate: lr, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  if ((s + 1) % env("EVERY", 20) === 0)
    console.log(`step ${s + 1} ${await acc()} t=${((performance.now() - t0) / 1000).toFixed(0)}s`);
}
await local.close();
rmSync(logDir, { recursive: true, force: true });
rmSync(local.dir, { recursive: true, force: true }); // the run's checkpoint store
