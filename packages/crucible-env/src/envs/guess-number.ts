// The cookbook's guess_number game (recipes/multiplayer_rl/guess_number): the policy guesses an integer, the env
// answers "Too low" / "Too high" / "Correct". Prompts, rewards and the train/test split are the cookbook's.
import { getTextContent } from "@crucible/renderers";
import { EnvFromMessageEnv, type MessageEnv, type MessageStepResult } from "../message-env.js";
import { ProblemGroupBuilder } from "../problem-env.js";
import { PyRandom } from "../random/py-random.js";
import type { EnvMessage, EnvRenderer } from "../renderer.js";
import { LimitedEnv, type RolloutLimits } from "../rollout-limits.js";
import type { EnvGroupBuilder, RLDataset, RLDatasetBuilder } from "../types.js";

/** Targets are drawn from [0, GUESS_NUMBER_UPPER_BOUND). */
export const GUESS_NUMBER_UPPER_BOUND = 1024;
/** The cookbook's turn cap (`MAX_TURNS`): the episode ends after this many guesses. */
export const GUESS_NUMBER_MAX_TURNS = 10;
export const GUESS_NUMBER_FORMAT_PENALTY = -1;
// The cookbook's prompt text, verbatim: the task the policy is trained on is defined by it.
export const GUESS_NUMBER_SYSTEM_PROMPT = `Your job is to guess a integer between 0 and ${GUESS_NUMBER_UPPER_BOUND}. You can output your guess with the format Guess: <guess> (without the angle brackets), and say nothing else. Then we will tell you whether you guess is too high, too low, or correct.`;
export const GUESS_NUMBER_FAIL_TO_PARSE =
  "Failed to parse. Please output in the format Guess: <guess> (without the angle brackets), and say nothing else.";

/** Python's `int(s)` for ASCII input: surrounding whitespace, a sign, digits with single `_` separators. */
export function parsePythonInt(s: string): number | null {
  const t = s.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(t) ? Number(t.replaceAll("_", "")) : null;
}

/** `re.match(r"Guess: (.*)", text)`: the rest of the first line after a leading "Guess: ", else null. */
export function matchGuess(text: string): string | null {
  const m = /^Guess: ([^\n]*)/.exec(text);
  return m ? (m[1] as string) : null;
}

export type GuessFeedback = "Correct" | "Too low" | "Too high" | typeof GUESS_NUMBER_FAIL_TO_PARSE;

/** The env's answer to one reply and its reward: 1 for the target, 0 for a wrong number, −1 when unparsable. */
export function judgeGuess(text: string, target: number): { feedback: GuessFeedback; reward: number } {
  const raw = matchGuess(text);
  const guess = raw === null ? null : parsePythonInt(raw);
  if (guess === null) return { feedback: GUESS_NUMBER_FAIL_TO_PARSE, reward: GUESS_NUMBER_FORMAT_PENALTY };
  if (guess === target) return { feedback: "Correct", reward: 1 };
  return guess < target ? { feedback: "Too low", reward: 0 } : { feedback: "Too high", reward: 0 };
}

/** One game with a fixed target. Ends when the target is guessed; the turn cap is a RolloutLimits `maxTurns`. */
export class GuessNumberEnv implements MessageEnv {
  private guesses = 0;

  constructor(readonly target: number) {
    if (!Number.isInteger(target) || target < 0 || target >= GUESS_NUMBER_UPPER_BOUND) {
      throw new RangeError(
        `GuessNumberEnv: target must be an integer in [0, ${GUESS_NUMBER_UPPER_BOUND}), got ${target}`,
      );
    }
  }

  async initialMessages(): Promise<EnvMessage[]> {
    return [{ role: "system", content: GUESS_NUMBER_SYSTEM_PROMPT }];
  }

  async step(message: EnvMessage): Promise<MessageStepResult> {
    this.guesses++;
    const text = getTextContent(message);
    const { feedback, reward } = judgeGuess(text, this.target);
    const won = reward === 1;
    return {
      reward,
      episodeDone: won,
      nextMessages: [{ role: "user", content: feedback }],
      metrics: won ? { "stop/completed": 1, won: 1, turns_to_win: this.guesses } : {},
      logs: { guess: text, feedback, target: this.target },
    };
  }
}

export interface GuessNumberOptions {
  renderer: EnvRenderer;
  /** Default: the cookbook's 10 turns and no token budget. */
  limits?: RolloutLimits;
}

/** A token-level env for one game: the MessageEnv behind the renderer, within `limits`. */
export function guessNumberEnv(target: number, o: GuessNumberOptions): LimitedEnv {
  const limits = o.limits ?? { maxTurns: GUESS_NUMBER_MAX_TURNS };
  return new LimitedEnv(new EnvFromMessageEnv(o.renderer, new GuessNumberEnv(target)), limits);
}

/** The cookbook's split: `random.Random(0).sample(range(1024), 1024)`, the first ⌊1024·trainFraction⌋ for training. */
export function guessNumberSplit(trainFraction = 0.9): { train: number[]; test: number[] } {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new RangeError(`guessNumberSplit: trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const all = Array.from({ length: GUESS_NUMBER_UPPER_BOUND }, (_, i) => i);
  const shuffled = new PyRandom(0).sample(all, all.length);
  const nTrain = Math.floor(GUESS_NUMBER_UPPER_BOUND * trainFraction);
  return { train: shuffled.slice(0, nTrain), test: shuffled.slice(nTrain) };
}

/** Batches of games: batch i holds targets [i·batchSize, (i+1)·batchSize), each a group of `groupSize` games. */
export class GuessNumberDataset implements RLDataset {
  constructor(
    readonly targets: readonly number[],
    readonly batchSize: number,
    readonly groupSize: number,
    readonly opts: GuessNumberOptions,
  ) {}
  get length(): number {
    return Math.floor(this.targets.length / this.batchSize);
  }
  getBatch(index: number): EnvGroupBuilder[] {
    return Array.from({ length: this.batchSize }, (_, i) => {
      const target = this.targets[index * this.batchSize + i] as number;
      return new ProblemGroupBuilder(() => guessNumberEnv(target, this.opts), this.groupSize, "guess_number");
    });
  }
}

export interface GuessNumberDatasetConfig extends GuessNumberOptions {
  batchSize: number;
  groupSize: number;
  testGroupSize?: number;
  trainFraction?: number;
}

/** Train: the split's train targets in batches; test: all test targets as one batch (groups of `testGroupSize`, 4). */
export function guessNumberDatasetBuilder(c: GuessNumberDatasetConfig): RLDatasetBuilder {
  return async () => {
    const { train, test } = guessNumberSplit(c.trainFraction ?? 0.9);
    if (c.batchSize > train.length) {
      throw new RangeError(
        `guess_number: batchSize ${c.batchSize} exceeds the ${train.length} training targets`,
      );
    }
    return {
      train: new GuessNumberDataset(train, c.batchSize, c.groupSize, c),
      test: new GuessNumberDataset(test, test.length, c.testGroupSize ?? 4, c),
    };
  };
}
