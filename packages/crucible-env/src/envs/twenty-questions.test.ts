import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import type { MessageCompleter, TokenCompleter } from "../completers.js";
import type { EnvMessage } from "../renderer.js";
import { doSingleRollout } from "../rollouts.js";
import {
  TWENTY_QUESTIONS_PLAYER_PROMPT,
  twentyQuestionsAnswererPrompt,
  twentyQuestionsDatasetBuilder,
  twentyQuestionsEnv,
  twentyQuestionsReward,
  twentyQuestionsSplit,
} from "./twenty-questions.js";

// The byte-level tokenizer loads instantly (the Qwen3 one blocks the event loop for seconds under load).
const tok = getTokenizerSync("crucible/tiny-bytes");
const renderer = getRenderer("role_colon", tok);

/** Plays the scripted lines in order (role_colon framing), cut at max_tokens as a sampler does. */
function scriptedPlayer(lines: string[]): TokenCompleter {
  let i = 0;
  return async (_ob, _stop, opts) => {
    const want = tok.encode(` ${lines[Math.min(i++, lines.length - 1)]}\n\nUser:`);
    const tokens = want.slice(0, opts?.maxTokens ?? want.length);
    return {
      tokens,
      maybeLogprobs: tokens.map(() => -0.5),
      stopReason: tokens.length < want.length ? "length" : "stop",
    };
  };
}

/** An answerer that knows its word from the system prompt and says yes only to a question naming it. */
function recordingAnswerer(seen: EnvMessage[][]): MessageCompleter {
  return async (messages) => {
    seen.push([...messages]);
    const secret = /Your secret word is (\w+)/.exec(String(messages[0]?.content))?.[1] ?? "";
    const q = String(messages.at(-1)?.content ?? "");
    return { role: "assistant", content: q.toLowerCase().includes(secret) ? "yes" : "no" };
  };
}

describe("twenty_questions", () => {
  it("rewards a first-line 'Guess: <word>' only (reference table from the cookbook's regex, CPython 3.11)", () => {
    const table: [string, number][] = [
      ["Guess: apple", 1],
      ["Guess: Apple", 1],
      ["Guess: APPLE", 1],
      ["Guess: apple.", 0],
      ["Guess: apple\nIs it red?", 1],
      ["guess: apple", 0],
      ["Guess:apple", 0],
      ["Is it an apple?", 0],
      ["Guess: an apple", 0],
      ["Guess: apple ", 0],
    ];
    for (const [text, r] of table) expect(twentyQuestionsReward(text, "apple"), JSON.stringify(text)).toBe(r);
  });

  it("splits the cookbook's 171 words as random.Random(0).shuffle does: 137 train, 34 test", async () => {
    const { train, test } = twentyQuestionsSplit();
    expect(train).toHaveLength(137);
    expect(train.slice(0, 8)).toEqual([
      "garden",
      "park",
      "orange",
      "zucchini",
      "parent",
      "ladder",
      "hotel",
      "coat",
    ]);
    expect(test.slice(0, 6)).toEqual(["sea", "pencil", "window", "cup", "hospital", "passenger"]);
    expect(test.slice(-5)).toEqual(["sandwich", "fork", "banana", "nurse", "lady"]);
    expect(twentyQuestionsSplit(3).train).toHaveLength(411);
    const seen: EnvMessage[][] = [];
    const ds = await twentyQuestionsDatasetBuilder({
      renderer,
      answerer: recordingAnswerer(seen),
      batchSize: 64,
      groupSize: 8,
      numEpochs: 100,
    })();
    expect(ds.train.length).toBe(Math.floor((137 * 100) / 64));
    expect(ds.test?.getBatch(0)).toHaveLength(34);
    expect(await ds.test!.getBatch(0)[0]!.makeEnvs()).toHaveLength(32);
  });

  it("a correct guess on turn 3 wins (reward 1, stop/completed); the answerer sees only its prompt and the last turn", async () => {
    const seen: EnvMessage[][] = [];
    const traj = await doSingleRollout(
      scriptedPlayer(["Is it an animal?", "Is it a fruit?", "Guess: Banana"]),
      twentyQuestionsEnv("banana", { renderer, answerer: recordingAnswerer(seen) }),
    );
    expect(traj.transitions.map((t) => t.reward)).toEqual([0, 0, 1]);
    expect(traj.stopReason).toBe("completed");
    expect(seen).toHaveLength(3);
    expect(seen[1]).toEqual([
      { role: "system", content: twentyQuestionsAnswererPrompt("banana") },
      { role: "user", content: "Is it a fruit?" },
    ]);
    expect(traj.transitions.map((t) => t.logs["answerer"])).toEqual(["no", "no", "yes"]);
    // the player's next prompt carries the answerer's reply as the user turn
    const ob2 = tok.decode(ModelInput.toInts(traj.transitions[1]!.ob));
    expect(ob2).toContain(TWENTY_QUESTIONS_PLAYER_PROMPT);
    expect(ob2.trimEnd().endsWith("User: no\n\nAssistant:")).toBe(true);
  });

  it("a player that never guesses is stopped after the cookbook's 20 questions with reward 0", async () => {
    const traj = await doSingleRollout(
      scriptedPlayer(["Is it bigger than a bread box?"]),
      twentyQuestionsEnv("zoo", { renderer, answerer: recordingAnswerer([]) }),
    );
    expect(traj.transitions).toHaveLength(20);
    expect(traj.stopReason).toBe("max_turns");
    expect(traj.transitions.every((t) => t.reward === 0)).toBe(true);
  });

  it("a sampled-token budget per episode ends the game with stop/max_sampled_tokens", async () => {
    const traj = await doSingleRollout(
      scriptedPlayer(["Is it alive?"]),
      twentyQuestionsEnv("zoo", {
        renderer,
        answerer: recordingAnswerer([]),
        limits: { maxTurns: 20, maxSampledTokens: 30 },
      }),
    );
    const sampled = traj.transitions.reduce((s, t) => s + t.ac.tokens.length, 0);
    expect(sampled).toBeLessThanOrEqual(30);
    expect(traj.stopReason).toBe("max_sampled_tokens");
    expect(sampled).toBe(30);
  });
});
