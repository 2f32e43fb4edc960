// The cookbook's twenty_questions game (recipes/multiplayer_rl/twenty_questions): the policy asks yes/no questions
// and finally writes "Guess: <word>"; the other player, the answerer who knows the secret word, is a language model
// behind a MessageCompleter (a Tinker sampling client in the recipe). Prompts, reward and split are the cookbook's.
import { getTextContent } from "@crucible/renderers";
import type { MessageCompleter } from "../completers.js";
import { EnvFromMessageEnv, type MessageEnv, type MessageStepResult } from "../message-env.js";
import { ProblemGroupBuilder } from "../problem-env.js";
import { PyRandom } from "../random/py-random.js";
import type { EnvMessage, EnvRenderer } from "../renderer.js";
import { LimitedEnv, type RolloutLimits } from "../rollout-limits.js";
import type { EnvGroupBuilder, RLDataset, RLDatasetBuilder } from "../types.js";
import { matchGuess } from "./guess-number.js";
import { TWENTY_QUESTIONS_WORDS } from "./twenty-questions-words.js";

/** The cookbook's turn cap: the player loses after 20 questions. */
export const TWENTY_QUESTIONS_MAX_TURNS = 20;
/** The cookbook's answerer reply budget (`TinkerMessageCompleter(max_tokens=5)`). */
export const TWENTY_QUESTIONS_ANSWERER_MAX_TOKENS = 5;

// The cookbook's prompts, verbatim: they define the game for both players.
export const TWENTY_QUESTIONS_PLAYER_PROMPT =
  "You are the player in a game of 20 questions. You will ask a series of yes/no questions to the answerer. You will win if you can guess the answer in 20 questions or less. You will lose if you ask more than 20 questions. To guess the answer, write a line of the form 'Guess: <answer>' (without the angle brackets). The answer is always a single word -- don't use articles like 'a' or 'the'. Your questions should be one line, and less than 20 words.";
export function twentyQuestionsAnswererPrompt(secret: string): string {
  return `You are the answerer in a game of 20 questions. You should only ever respond with 'yes' or 'no'. Your secret word is ${secret}. If the other player guesses it with Guess: <answer>, respond with 'yes' only if the answer is precisely your secret word.`;
}

/** Reward of one player turn: 1 when it starts with "Guess: <secret>" (case-insensitive, rest of the line), else 0. */
export function twentyQuestionsReward(text: string, secret: string): number {
  const guess = matchGuess(text);
  return guess !== null && guess.toLowerCase() === secret.toLowerCase() ? 1 : 0;
}

/** One game with a fixed secret word. Ends on a correct guess; the question cap is a RolloutLimits `maxTurns`. */
export class TwentyQuestionsEnv implements MessageEnv {
  private turn = 0;

  constructor(
    readonly answerer: MessageCompleter,
    readonly secret: string,
  ) {}

  async initialMessages(): Promise<EnvMessage[]> {
    return [{ role: "system", content: TWENTY_QUESTIONS_PLAYER_PROMPT }];
  }

  async step(message: EnvMessage): Promise<MessageStepResult> {
    this.turn++;
    const question = getTextContent(message);
    // The answerer sees only the latest question: each answer should not depend on earlier turns (as in the cookbook).
    const reply = await this.answerer([
      { role: "system", content: twentyQuestionsAnswererPrompt(this.secret) },
      { role: "user", content: question },
    ]);
    const answer = getTextContent(reply);
    const reward = twentyQuestionsReward(question, this.secret);
    const won = reward === 1;
    return {
      reward,
      episodeDone: won,
      nextMessages: [{ role: "user", content: answer }],
      metrics: won ? { "stop/completed": 1, won: 1, turns_to_win: this.turn } : {},
      logs: { turn: this.turn, player: question, answerer: answer, secret: this.secret },
    };
  }
}

export interface TwentyQuestionsOptions {
  renderer: EnvRenderer;
  answerer: MessageCompleter;
  /** Default: the cookbook's 20 questions and no token budget. */
  limits?: RolloutLimits;
}

/** A token-level env for one game: the MessageEnv behind the player's renderer, within `limits`. */
export function twentyQuestionsEnv(secret: string, o: TwentyQuestionsOptions): LimitedEnv {
  const limits = o.limits ?? { maxTurns: TWENTY_QUESTIONS_MAX_TURNS };
  return new LimitedEnv(
    new EnvFromMessageEnv(o.renderer, new TwentyQuestionsEnv(o.answerer, secret)),
    limits,
  );
}

/** The cookbook's split: words shuffled by `random.Random(0)`, the last min(⌊n/5⌋, 100) held out. */
export function twentyQuestionsSplit(numEpochs = 1): { train: string[]; test: string[] } {
  if (!(Number.isInteger(numEpochs) && numEpochs >= 1)) {
    throw new RangeError(`twentyQuestionsSplit: numEpochs must be a positive integer, got ${numEpochs}`);
  }
  const words = new PyRandom(0).shuffle([...TWENTY_QUESTIONS_WORDS]);
  const numTest = Math.min(Math.floor(words.length / 5), 100);
  const once = words.slice(0, words.length - numTest);
  return {
    train: Array.from({ length: numEpochs }, () => once).flat(),
    test: words.slice(words.length - numTest),
  };
}

/** Batches of games: batch i holds words [i·batchSize, (i+1)·batchSize), each a group of `groupSize` games. */
export class TwentyQuestionsDataset implements RLDataset {
  constructor(
    readonly secrets: readonly string[],
    readonly batchSize: number,
    readonly groupSize: number,
    readonly opts: TwentyQuestionsOptions,
  ) {}
  get length(): number {
    return Math.floor(this.secrets.length / this.batchSize);
  }
  getBatch(index: number): EnvGroupBuilder[] {
    return Array.from({ length: this.batchSize }, (_, i) => {
      const secret = this.secrets[index * this.batchSize + i] as string;
      return new ProblemGroupBuilder(
        () => twentyQuestionsEnv(secret, this.opts),
        this.groupSize,
        "twenty_questions",
      );
    });
  }
}

export interface TwentyQuestionsDatasetConfig extends TwentyQuestionsOptions {
  batchSize: number;
  groupSize: number;
  numEpochs?: number;
  /** Cookbook default 32. */
  testGroupSize?: number;
}

/** Train: the split's words × numEpochs in batches; test: all held-out words as one batch. */
export function twentyQuestionsDatasetBuilder(c: TwentyQuestionsDatasetConfig): RLDatasetBuilder {
  return async () => {
    const { train, test } = twentyQuestionsSplit(c.numEpochs ?? 1);
    if (c.batchSize > train.length) {
      throw new RangeError(
        `twenty_questions: batchSize ${c.batchSize} exceeds the ${train.length} training words`,
      );
    }
    return {
      train: new TwentyQuestionsDataset(train, c.batchSize, c.groupSize, c),
      test: new TwentyQuestionsDataset(test, test.length, c.testGroupSize ?? 32, c),
    };
  };
}
