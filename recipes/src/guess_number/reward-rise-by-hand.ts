// By-hand measurement (no test runs it): guess_number's reward rise with the settings of reward-rise.ts, or with
// overrides given as JSON, e.g. '{"warm":{"steps":4},"rl":{"learning_rate":1e-3}}'; prints the NLL and rewards.
//   pnpm exec tsx src/guess_number/reward-rise-by-hand.ts [overrides_json] [out_dir]
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GUESS_RISE, guessRewardRise } from "./reward-rise.js";

const [overrides = "{}", out = "/tmp/crucible-guess-rise"] = process.argv.slice(2);
const o = JSON.parse(overrides) as { warm?: object; rl?: object; evalSamples?: number };
const s = {
  ...GUESS_RISE,
  ...o,
  warm: { ...GUESS_RISE.warm, ...o.warm },
  rl: { ...GUESS_RISE.rl, ...o.rl },
};
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
process.env["CRUCIBLE_LOCAL_DIR"] = join(out, "store");
const t0 = Date.now();
const r = await guessRewardRise(out, s);
const cpu = process.cpuUsage();
console.log(JSON.stringify({ warm: s.warm, rl: s.rl }));
console.log(`warm NLL ${r.warmNll.map((x) => x.toFixed(2)).join(" ")}`);
console.log(`exit ${r.code} ${r.err.join(" | ")}`);
console.log(`reward ${r.reward.map((x) => x.toFixed(2)).join(" ")}`);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(`parse rate ${r.parseRate?.warm.toFixed(3)} -> ${r.parseRate?.final.toFixed(3)}`);
console.log(`first3 ${mean(r.reward.slice(0, 3)).toFixed(3)} last3 ${mean(r.reward.slice(-3)).toFixed(3)}`);
console.log(
  `wall ${(Date.now() - t0) / 1000} s, process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
);
