import { ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TokenCompleter } from "./completers.js";
import { checkRolloutLimits, LimitedEnv, type RolloutLimits, RolloutLimitsError } from "./rollout-limits.js";
import { doSingleRollout } from "./rollouts.js";
import { type Env, STOP_REASONS } from "./types.js";

/**
 * A conversation env at the token level: the observation grows by the sampled tokens plus `replyLen` env tokens
 * each turn; reward = the turn number; it ends by itself after `doneAt` turns (never when null).
 */
function growingEnv(promptLen: number, replyLen: number, doneAt: number | null): Env {
  let ob: number[] = Array.from({ length: promptLen }, (_, i) => i);
  let turn = 0;
  return {
    async initialObservation() {
      return { kind: "observation", observation: ModelInput.fromInts(ob), stopCondition: [0] };
    },
    async step(action) {
      turn++;
      ob = [...ob, ...action, ...Array.from({ length: replyLen }, () => 7)];
      return {
        reward: turn,
        episodeDone: doneAt !== null && turn >= doneAt,
        nextObservation: ModelInput.fromInts(ob),
        nextStopCondition: [0],
      };
    },
  };
}

/** Samples `wanted[turn]` tokens, cut to the per-call max_tokens as a Tinker sampler does ("length" when cut). */
function lengthPolicy(wanted: number[]): TokenCompleter {
  let turn = 0;
  return async (_ob, _stop, opts) => {
    const want = wanted[turn++ % wanted.length] as number;
    const n = opts?.maxTokens === undefined ? want : Math.min(want, opts.maxTokens);
    const tokens = Array.from({ length: n }, () => 5);
    return { tokens, maybeLogprobs: tokens.map(() => -1), stopReason: n < want ? "length" : "stop" };
  };
}

const optLimit = (max: number) => fc.option(fc.integer({ min: 1, max }), { nil: undefined });

describe("LimitedEnv", () => {
  it("property: every budget holds, the stop reason names the limit that was reached, rewards pass through", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxTurns: optLimit(8),
          maxTrajectoryTokens: optLimit(120),
          maxSampledTokens: optLimit(60),
          maxTurnTokens: optLimit(20),
        }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 6 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 10 }),
        async (rawLimits, promptLen, replyLen, doneAt, wanted) => {
          const limits = Object.fromEntries(
            Object.entries(rawLimits).filter(([, v]) => v !== undefined),
          ) as RolloutLimits;
          // Without any limit and an env that never ends the episode would not end: give it a turn cap then.
          if (doneAt === null && limits.maxTurns === undefined) limits.maxTurns = 12;
          const env = new LimitedEnv(growingEnv(promptLen, replyLen, doneAt), limits);
          const traj = await doSingleRollout(lengthPolicy(wanted), env);
          const ts = traj.transitions;
          expect(STOP_REASONS as readonly string[]).toContain(traj.stopReason);
          if (
            traj.stopReason === "max_tokens" &&
            ts[0]?.ac.tokens.length === 0 &&
            ModelInput.length(ts[0].ob) === 0
          ) {
            // the prompt alone used the whole budget
            expect(promptLen).toBeGreaterThanOrEqual(limits.maxTrajectoryTokens!);
            return;
          }
          const sampled = ts.map((t) => t.ac.tokens.length);
          const total = sampled.reduce((a, b) => a + b, 0);
          if (limits.maxTurns !== undefined) expect(ts.length).toBeLessThanOrEqual(limits.maxTurns);
          if (limits.maxSampledTokens !== undefined)
            expect(total).toBeLessThanOrEqual(limits.maxSampledTokens);
          for (const t of ts) {
            if (limits.maxTurnTokens !== undefined)
              expect(t.ac.tokens.length).toBeLessThanOrEqual(limits.maxTurnTokens);
            if (limits.maxTrajectoryTokens !== undefined)
              expect(ModelInput.length(t.ob) + t.ac.tokens.length).toBeLessThanOrEqual(
                limits.maxTrajectoryTokens,
              );
          }
          expect(ts.map((t) => t.reward)).toEqual(ts.map((_, i) => i + 1));
          expect(ts.filter((t) => t.episodeDone).length).toBe(1);
          expect(ts.at(-1)?.episodeDone).toBe(true);
          // The reported reason is the one that was actually reached.
          const lastObLen = ModelInput.length(ts.at(-1)!.ob) + (ts.at(-1)?.ac.tokens.length ?? 0) + replyLen;
          const reason = traj.stopReason;
          if (reason === "completed") expect(ts.length).toBe(doneAt);
          if (reason === "max_turns") expect(ts.length).toBe(limits.maxTurns);
          if (reason === "max_sampled_tokens") expect(total).toBe(limits.maxSampledTokens);
          if (reason === "max_tokens") expect(lastObLen).toBeGreaterThanOrEqual(limits.maxTrajectoryTokens!);
          // A game that ends on the same turn a limit is reached ended by itself: completed.
          if (ts.length === doneAt) expect(reason).toBe("completed");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a turn cap of 3 on an endless env: exactly 3 turns, stop/max_turns", async () => {
    const env = new LimitedEnv(growingEnv(4, 1, null), { maxTurns: 3 });
    const traj = await doSingleRollout(lengthPolicy([2]), env);
    expect(traj.transitions).toHaveLength(3);
    expect(traj.stopReason).toBe("max_turns");
    expect(env.usage).toEqual({ turns: 3, sampledTokens: 6 });
  });

  it("the per-turn budget shrinks to what the trajectory has left", async () => {
    // prompt 10, budget 20: turn 1 may sample 10 (wants 6), obs becomes 10+6+2 = 18, turn 2 may sample 2.
    const env = new LimitedEnv(growingEnv(10, 2, null), { maxTrajectoryTokens: 20 });
    const traj = await doSingleRollout(lengthPolicy([6]), env);
    expect(traj.transitions.map((t) => t.ac.tokens.length)).toEqual([6, 2]);
    expect(traj.transitions.map((t) => t.ac.stopReason)).toEqual(["stop", "length"]);
    expect(traj.stopReason).toBe("max_tokens");
  });

  it("a prompt that fills the budget ends the rollout before sampling (stop/max_tokens)", async () => {
    const env = new LimitedEnv(growingEnv(20, 2, null), { maxTrajectoryTokens: 20 });
    let calls = 0;
    const traj = await doSingleRollout(async () => {
      calls++;
      return { tokens: [1], maybeLogprobs: [0], stopReason: "stop" };
    }, env);
    expect(calls).toBe(0);
    expect(traj.stopReason).toBe("max_tokens");
  });

  it("rejects limits that are not positive integers, naming the field", () => {
    expect(() => checkRolloutLimits({ maxTurns: 0 })).toThrow(RolloutLimitsError);
    expect(() => checkRolloutLimits({ maxSampledTokens: 2.5 })).toThrow(/maxSampledTokens/);
    expect(() => new LimitedEnv(growingEnv(1, 1, 1), { maxTrajectoryTokens: -1 })).toThrow(
      /maxTrajectoryTokens/,
    );
    expect(() => checkRolloutLimits({})).not.toThrow();
  });
});
