import { getTextContent } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import type { EnvMessage, EnvRenderer } from "./renderer.js";
import type {
  Action,
  Env,
  EnvGroupBuilder,
  InitialObservation,
  Metrics,
  StepResult,
  Trajectory,
} from "./types.js";

export interface ProblemEnvOptions {
  /** Few-shot or system messages placed before the question. */
  convoPrefix?: EnvMessage[] | null;
  /** Weight of the format term: reward = formatCoef·(format − 1) + correct. Default 0.1. */
  formatCoef?: number;
  /** Well-formed needs a stop-sequence termination (true, default) or any clean one, e.g. EOS (false). */
  requireStopSequenceForFormat?: boolean;
}

/** One question, one answer; reward = `formatCoef·(format − 1) + correct`. */
export abstract class ProblemEnv implements Env {
  readonly convoPrefix: EnvMessage[];
  readonly formatCoef: number;
  readonly requireStopSequenceForFormat: boolean;
  /** Set by `step`, for transcripts. */
  lastResponse: { message: EnvMessage; format: number; correct: number; reward: number } | null = null;

  constructor(
    readonly renderer: EnvRenderer,
    opts: ProblemEnvOptions = {},
  ) {
    this.convoPrefix = opts.convoPrefix ?? [];
    this.formatCoef = opts.formatCoef ?? 0.1;
    this.requireStopSequenceForFormat = opts.requireStopSequenceForFormat ?? true;
  }

  abstract getQuestion(): string;
  /** May be async (graders with a time limit run in a worker). */
  abstract checkAnswer(text: string): boolean | Promise<boolean>;
  abstract checkFormat(text: string): boolean;
  abstract getReferenceAnswer(): string;

  conversation(): EnvMessage[] {
    return [...this.convoPrefix, { role: "user", content: this.getQuestion() }];
  }

  async initialObservation(): Promise<InitialObservation> {
    return {
      kind: "observation",
      observation: this.renderer.buildGenerationPrompt(this.conversation()),
      stopCondition: this.renderer.getStopSequences(),
    };
  }

  async step(action: Action): Promise<StepResult> {
    const { message, termination } = this.renderer.parseResponse(action);
    const text = getTextContent(message);
    const wellFormed = this.requireStopSequenceForFormat
      ? termination === "stop_sequence"
      : termination !== "malformed";
    const format = wellFormed && this.checkFormat(text) ? 1 : 0;
    const correct = (await this.checkAnswer(text)) ? 1 : 0;
    const reward = problemReward(this.formatCoef, format, correct);
    this.lastResponse = { message, format, correct, reward };
    return {
      reward,
      episodeDone: true,
      nextObservation: ModelInput.empty(),
      nextStopCondition: this.renderer.getStopSequences(),
      metrics: { format, correct },
      logs: {},
    };
  }
}

/** `c·(format − 1) + correct`, ∈ {−c, 0, 1−c, 1}. */
export function problemReward(formatCoef: number, format: number, correct: number): number {
  return formatCoef * (format - 1) + correct;
}

/** `numEnvs` fresh envs of the same problem; group rewards all 0; tagged with the dataset name. */
export class ProblemGroupBuilder implements EnvGroupBuilder {
  constructor(
    readonly envThunk: () => Env,
    readonly numEnvs: number,
    readonly datasetName = "problems",
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new Error(`ProblemGroupBuilder: numEnvs (group size) must be a positive integer, got ${numEnvs}`);
    }
  }
  async makeEnvs(): Promise<Env[]> {
    return Array.from({ length: this.numEnvs }, () => this.envThunk());
  }
  async computeGroupRewards(
    trajectories: readonly Trajectory[],
  ): Promise<{ reward: number; metrics: Metrics }[]> {
    return trajectories.map(() => ({ reward: 0, metrics: {} }));
  }
  loggingTags(): string[] {
    return [this.datasetName];
  }
}
