import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TokenCompleter } from "../completers.js";
import { trajectoryToData } from "../data-processing.js";
import { doSingleRollout } from "../rollouts.js";
import {
  GUESS_NUMBER_FAIL_TO_PARSE,
  GUESS_NUMBER_MAX_TURNS,
  guessNumberDatasetBuilder,
  guessNumberEnv,
  guessNumberSplit,
  judgeGuess,
} from "./guess-number.js";

// The byte-level tokenizer loads instantly (the Qwen3 one blocks the event loop for seconds under load).
const tok = getTokenizerSync("crucible/tiny-bytes");
const renderer = getRenderer("role_colon", tok);

/** A player that writes `reply(conversation so far)`, closed by role_colon's stop sequence, cut at max_tokens. */
export function textPlayer(reply: (conversation: string) => string): TokenCompleter {
  return async (ob, _stop, opts) => {
    const want = tok.encode(` ${reply(tok.decode(ModelInput.toInts(ob)))}\n\nUser:`);
    const tokens = opts?.maxTokens === undefined ? want : want.slice(0, opts.maxTokens);
    return {
      tokens,
      maybeLogprobs: tokens.map(() => -0.5),
      stopReason: tokens.length < want.length ? "length" : "stop",
    };
  };
}

/** Binary search over [0, 1024) driven by the env's "Too low" / "Too high" answers in the conversation. */
function bisectingPlayer(): TokenCompleter {
  let lo = 0;
  let hi = 1023;
  let last: number | null = null;
  return textPlayer((conv) => {
    const feedback = conv.trimEnd().split("User:").at(-1)?.trim() ?? "";
    if (last !== null && feedback.startsWith("Too low")) lo = last + 1;
    if (last !== null && feedback.startsWith("Too high")) hi = last - 1;
    last = Math.floor((lo + hi) / 2);
    return `Guess: ${last}`;
  });
}

describe("guess_number", () => {
  it("judges replies as the cookbook's regex + int() does (reference table from CPython 3.11, target 500)", () => {
    const FAIL = GUESS_NUMBER_FAIL_TO_PARSE;
    const table: [string, string, number][] = [
      ["Guess: 500", "Correct", 1],
      ["Guess: 499", "Too low", 0],
      ["Guess: 501", "Too high", 0],
      ["Guess:500", FAIL, -1],
      ["guess: 500", FAIL, -1],
      [" Guess: 500", FAIL, -1],
      ["Guess:  500 ", "Correct", 1],
      ["Guess: +500", "Correct", 1],
      ["Guess: -3", "Too low", 0],
      ["Guess: 5_00", "Correct", 1],
      ["Guess: 5__00", FAIL, -1],
      ["Guess: 500.0", FAIL, -1],
      ["Guess: 500\nmore", "Correct", 1],
      ["Guess: 500 please", FAIL, -1],
      ["Guess: ", FAIL, -1],
      ["Guess: 1e3", FAIL, -1],
      ["I think Guess: 500", FAIL, -1],
      ["Guess: 0500", "Correct", 1],
      ["Guess: 500\r", "Correct", 1],
    ];
    for (const [text, feedback, reward] of table)
      expect(judgeGuess(text, 500), JSON.stringify(text)).toEqual({ feedback, reward });
  });

  it("splits targets as random.Random(0).sample(range(1024), 1024) does: 921 train, 103 test", async () => {
    const { train, test } = guessNumberSplit();
    expect(train).toHaveLength(921);
    expect(test).toHaveLength(103);
    expect(train.slice(0, 8)).toEqual([788, 776, 911, 430, 41, 265, 988, 523]);
    expect(test.slice(0, 8)).toEqual([924, 389, 81, 284, 710, 207, 35, 580]);
    const ds = await guessNumberDatasetBuilder({ renderer, batchSize: 32, groupSize: 8 })();
    expect(ds.train.length).toBe(28);
    expect(ds.test?.length).toBe(1);
    expect(ds.test?.getBatch(0)).toHaveLength(103);
    expect(await ds.train.getBatch(0)[0]!.makeEnvs()).toHaveLength(8);
  });

  it("property: a bisecting player wins every target but 1023 within 10 guesses; rewards come from the game", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1022 }), async (target) => {
        const traj = await doSingleRollout(bisectingPlayer(), guessNumberEnv(target, { renderer }));
        const ts = traj.transitions;
        expect(ts.length).toBeLessThanOrEqual(GUESS_NUMBER_MAX_TURNS);
        expect(traj.stopReason).toBe("completed");
        expect(ts.map((t) => t.reward)).toEqual([...ts.slice(1).map(() => 0), 1]);
        expect(ts.at(-1)?.logs).toMatchObject({ feedback: "Correct", target, guess: `Guess: ${target}` });
        expect(ts.at(-1)?.metrics["turns_to_win"]).toBe(ts.length);
        for (const t of ts.slice(0, -1)) {
          const guess = Number(String(t.logs["guess"]).slice("Guess: ".length));
          expect(t.logs["feedback"]).toBe(guess < target ? "Too low" : "Too high");
        }
        // each turn's prompt extends the previous one, so the episode trains as one sequence
        expect(trajectoryToData(traj, 1)).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });

  it("10 guesses cover 2^10 − 1 targets: bisection misses 1023 and is stopped at the turn cap", async () => {
    const traj = await doSingleRollout(bisectingPlayer(), guessNumberEnv(1023, { renderer }));
    expect(traj.stopReason).toBe("max_turns");
    expect(traj.transitions.map((t) => t.reward)).toEqual(Array(10).fill(0));
    expect(traj.transitions.at(-1)?.logs).toMatchObject({ guess: "Guess: 1022", feedback: "Too low" });
  });

  it("an unparsable player is penalised every turn and stopped at the cookbook's 10 turns", async () => {
    const traj = await doSingleRollout(
      textPlayer(() => "I think it is 7"),
      guessNumberEnv(7, { renderer }),
    );
    expect(traj.transitions).toHaveLength(10);
    expect(traj.stopReason).toBe("max_turns");
    expect(traj.transitions.map((t) => t.reward)).toEqual(Array(10).fill(-1));
    expect(traj.transitions[3]?.logs["feedback"]).toBe(GUESS_NUMBER_FAIL_TO_PARSE);
  });

  it("property: a token budget per episode holds and ends the game with stop/max_tokens", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 60, max: 200 }),
        fc.integer({ min: 0, max: 1023 }),
        async (budget, target) => {
          const env = guessNumberEnv(target, {
            renderer,
            limits: { maxTurns: 10, maxTrajectoryTokens: budget },
          });
          const traj = await doSingleRollout(bisectingPlayer(), env);
          for (const t of traj.transitions)
            expect(ModelInput.length(t.ob) + t.ac.tokens.length).toBeLessThanOrEqual(budget);
          expect(["completed", "max_tokens", "max_turns"]).toContain(traj.stopReason);
          if (traj.stopReason === "max_turns") expect(traj.transitions).toHaveLength(10);
        },
      ),
      { numRuns: 25 },
    );
  });
});
