// guess_number's reward rises under RL on the embedded backend: tiny-bytes gets a format-only warm start (40 SFT
// steps on "Guess: <n>" replies, leaving about a third of its replies parsable), then `crucible run guess_number`
// raises the mean episode reward (−1 per unparsable reply, 0 for a wrong number, 1 for the target) over 16 steps.
// Settings and the measured runs: reward-rise.ts and the README.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { e2eDir } from "../testing/e2e.js";
import { GUESS_RISE, guessRewardRise } from "./reward-rise.js";

const dir = e2eDir("guess_number_rise");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe("guess_number reward rise", () => {
  // Opt-in (CRUCIBLE_GUESS_RISE_E2E=1): in a fresh-clone CI run on 2026-12-05 the policy collapsed after two RL
  // steps (reward -0.53 -0.50, then -1.00 for every remaining step: no reply parsed), 1 collapse in 10 measured runs
  // of these settings, too often for the default run (README.md).
  it.runIf(process.env.CRUCIBLE_GUESS_RISE_E2E === "1")(
    "RL after a format-only warm start raises the mean reward",
    { timeout: 300_000 },
    async () => {
      const t0 = Date.now();
      const r = await guessRewardRise(dir);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      console.log(
        `guess_number rise: ${(Date.now() - t0) / 1000} s; warm NLL ${r.warmNll[0]!.toFixed(2)} → ${r.warmNll.at(-1)!.toFixed(2)}; reward ${r.reward.map((x) => x.toFixed(2)).join(" ")}`,
      );
      expect(r.warmNll.at(-1)!).toBeLessThan(r.warmNll[0]! / 4);
      expect(r.reward).toHaveLength(GUESS_RISE.rl.max_steps);
      // The warm start leaves a mix: some replies parse, some do not, so groups carry a signal.
      const [first, last] = [mean(r.reward.slice(0, 3)), mean(r.reward.slice(-3))];
      expect(first).toBeGreaterThan(-1);
      expect(first).toBeLessThan(-0.1);
      expect(last - first).toBeGreaterThan(RISE_MARGIN);
    },
  );
});

/** Mean reward, last three steps minus first three; measured rises in the README. */
const RISE_MARGIN = 0.1;
