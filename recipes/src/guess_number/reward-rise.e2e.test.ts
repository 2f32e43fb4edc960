// guess_number's reward rises under RL on the embedded backend: tiny-bytes gets a format-only warm start (40 SFT
// steps on "Guess: <n>" replies, leaving about half of its replies parsable), then `crucible run guess_number`
// trains on one-turn games (−1 per unparsable reply, 0 for a wrong number, 1 for the target), which raises the share
// of parsable opening replies, measured on many samples of the warm and the final weights (parse-rate.ts).
// Settings and the measured runs: reward-rise.ts and the README.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { e2eDir } from "../testing/e2e.js";
import { GUESS_RISE, guessRewardRise } from "./reward-rise.js";

const dir = e2eDir("guess_number_rise");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("guess_number reward rise", () => {
  it("RL after a format-only warm start raises the share of parsable replies", {
    timeout: 300_000,
  }, async () => {
    const t0 = Date.now();
    const r = await guessRewardRise(dir);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const { warm, final } = r.parseRate!;
    console.log(
      `guess_number rise: ${(Date.now() - t0) / 1000} s; warm NLL ${r.warmNll[0]!.toFixed(2)} → ${r.warmNll.at(-1)!.toFixed(2)}; reward ${r.reward.map((x) => x.toFixed(2)).join(" ")}; parse rate ${warm.toFixed(3)} → ${final.toFixed(3)}`,
    );
    expect(r.warmNll.at(-1)!).toBeLessThan(r.warmNll[0]! / 4);
    expect(r.reward).toHaveLength(GUESS_RISE.rl.max_steps);
    // The warm start leaves a mix: some replies parse, some do not, so groups carry a signal.
    expect(warm).toBeGreaterThan(0.1);
    expect(warm).toBeLessThan(0.9);
    expect(final - warm).toBeGreaterThan(MIN_PARSE_RATE_RISE);
  });
});

/** Parse rate of the final weights minus the warm start's (each from GUESS_RISE.evalSamples samples); measured
 * rises in the README. */
const MIN_PARSE_RATE_RISE = 0.05;
