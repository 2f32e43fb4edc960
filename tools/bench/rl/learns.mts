// Does RL raise the reward? (run by hand; the e2e test runs the default setting once):
//   npx tsx --tsconfig packages/crucible-train/tsconfig.json tools/bench/rl/learns.mts
// crucible/tiny-bytes gets a short SL warm start on x + y answers, then RL on a pool of pairs the SL data never
// had. Prints, per seed, the mean reward of RL steps 0–2 and of the last 3 steps. Knobs (env): SEEDS (e.g.
// "0,1,2"), and any ArithmeticLearningOptions field in upper snake case (SL_STEPS, RL_LEARNING_RATE, ...).
import {
  LEARNING_DEFAULTS,
  runArithmeticLearning,
} from "../../../packages/crucible-train/src/rl/testing/arithmetic-learning.ts";
import { startLocal } from "../../../packages/crucible-train/src/rl/testing/local-arithmetic.ts";

const opts: Record<string, number> = {};
for (const k of Object.keys(LEARNING_DEFAULTS)) {
  const v = process.env[k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()];
  if (v !== undefined) opts[k] = Number(v);
}
const seeds = (process.env.SEEDS ?? "0").split(",").map(Number);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number) => x.toFixed(3);
const local = await startLocal("crucible-rl-learns-", undefined, "crucible/byte-level");
console.log(`options ${JSON.stringify({ ...LEARNING_DEFAULTS, ...opts })}`);
try {
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await runArithmeticLearning(local, { ...opts, seed });
    console.log(
      `seed ${seed}: SL NLL ${f(r.slNll[0] ?? Number.NaN)} → ${f(r.slNll.at(-1) ?? Number.NaN)}; reward ${r.reward.map(f).join(" ")}`,
    );
    console.log(
      `seed ${seed}: reward first 3 ${f(mean(r.reward.slice(0, 3)))} → last 3 ${f(mean(r.reward.slice(-3)))}; correct ${f(mean(r.correct.slice(0, 3)))} → ${f(mean(r.correct.slice(-3)))}; format ${f(mean(r.format.slice(0, 3)))} → ${f(mean(r.format.slice(-3)))} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
} finally {
  await local.close();
}
