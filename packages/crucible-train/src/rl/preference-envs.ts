// Pairwise preference RL (cookbook rl/preference_envs.py): a group of single-turn envs answers one prompt; the
// group's answers are played against each other in pairwise matchups judged by a preference model, and each
// answer's reward is its mean win-minus-loss score, minus 1 when it did not end with the stop sequence. Besides the
// cookbook's `win_minus_loss` and `format`, each answer logs `response_chars`, the length of the text the preference
// model judged: with a byte-level tokenizer the token count can stay at max_tokens while the text shrinks (ids the
// tokenizer cannot decode, invalid UTF-8 runs), so a length preference is best watched in characters too.
import type {
  Action,
  Env,
  EnvGroupBuilder,
  EnvRenderer,
  InitialObservation,
  Metrics,
  RLDataset,
  RLDatasetBuilder,
  StepResult,
  Trajectory,
} from "@crucible/env";
import { getTextContent, type Message } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { ConfigurationError } from "../errors.js";
import type { ComparisonDatasetBuilder } from "../preference/comparison-builders.js";
import type { PreferenceModel, PreferenceModelBuilder } from "../preference/preference-model.js";
import type { Comparison, LabeledComparison } from "../preference/types.js";

/** `PreferenceEnv`: shows the prompt, takes one answer, ends with reward 0 (the group reward is the real one). */
export class PreferenceEnv implements Env {
  constructor(
    readonly convoPrefix: readonly Message[],
    readonly policyRenderer: EnvRenderer,
  ) {}

  async initialObservation(): Promise<InitialObservation> {
    return {
      kind: "observation",
      observation: this.policyRenderer.buildGenerationPrompt(this.convoPrefix),
      stopCondition: this.policyRenderer.getStopSequences(),
    };
  }

  async step(_action: Action): Promise<StepResult> {
    return {
      reward: 0,
      episodeDone: true,
      nextObservation: ModelInput.empty(),
      nextStopCondition: this.policyRenderer.getStopSequences(),
      metrics: {},
    };
  }
}

/** `TournamentPattern`: which ordered pairs (i, j) are judged ("i vs j" = comparison with i as A, j as B). */
export type TournamentPattern = "all_pairs_both_ways" | "all_pairs_one_way";

/** All matchups of n players: both orders of every pair, or each pair once (i < j). */
export function getPairs(n: number, pattern: TournamentPattern): [number, number][] {
  if (pattern !== "all_pairs_both_ways" && pattern !== "all_pairs_one_way")
    throw new ConfigurationError(`invalid tournament pattern: ${String(pattern)}`);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (pattern === "all_pairs_both_ways" ? i !== j : j > i) out.push([i, j]);
  return out;
}

/** Matchups within consecutive chunks of `chunkSize` players, so the count stays linear in n. */
export function getPairsChunked(
  n: number,
  pattern: TournamentPattern,
  chunkSize: number,
): [number, number][] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new ConfigurationError(`matchup chunk size must be a positive integer, got ${chunkSize}`);
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += chunkSize) {
    for (const [i, j] of getPairs(Math.min(start + chunkSize, n) - start, pattern))
      out.push([start + i, start + j]);
  }
  return out;
}

export interface PairwisePreferenceGroupOptions {
  convoPrefix: readonly Message[];
  policyRenderer: EnvRenderer;
  tournamentPattern: TournamentPattern;
  preferenceModel: PreferenceModel;
  numEnvs: number;
  /** Applied to each answer's text before it is judged (e.g. drop thinking). */
  contentPreprocessor?: ((text: string) => string) | null;
  /** Matchups happen within chunks of this many answers. Default 4. */
  matchupGroupSize?: number;
}

/** `PairwisePreferenceGroupBuilder`: `numEnvs` PreferenceEnvs on one prompt, rewarded by a pairwise tournament. */
export class PairwisePreferenceGroupBuilder implements EnvGroupBuilder {
  constructor(readonly opts: PairwisePreferenceGroupOptions) {
    if (!Number.isInteger(opts.numEnvs) || opts.numEnvs < 1)
      throw new ConfigurationError(`group_size must be a positive integer, got ${opts.numEnvs}`);
  }

  async makeEnvs(): Promise<Env[]> {
    return Array.from(
      { length: this.opts.numEnvs },
      () => new PreferenceEnv(this.opts.convoPrefix, this.opts.policyRenderer),
    );
  }

  /** The answer of a single-turn trajectory, and whether it ended with the stop sequence (the format check). */
  responseMessage(t: Trajectory): { message: Message; valid: boolean } {
    const first = t.transitions[0];
    if (!first || t.transitions.length !== 1)
      throw new Error(`pairwise preference envs are single-turn; got ${t.transitions.length} transitions`);
    const { message, termination } = this.opts.policyRenderer.parseResponse(first.ac.tokens);
    return { message, valid: termination === "stop_sequence" };
  }

  /** An answer as the preference model sees it (the content preprocessor applied). */
  judgedMessage(m: Message): Message {
    const pre = this.opts.contentPreprocessor;
    return pre ? { ...m, content: pre(getTextContent(m)) } : m;
  }

  /** The comparison "answer i (A) vs answer j (B)" on the group's prompt, preprocessed. */
  comparisonOf(a: Message, b: Message): Comparison {
    return {
      promptConversation: [...this.opts.convoPrefix],
      completionA: [this.judgedMessage(a)],
      completionB: [this.judgedMessage(b)],
    };
  }

  async computeGroupRewards(
    trajectories: readonly Trajectory[],
  ): Promise<{ reward: number; metrics: Metrics }[]> {
    const responses = trajectories.map((t) => this.responseMessage(t));
    const pairs = getPairsChunked(
      responses.length,
      this.opts.tournamentPattern,
      this.opts.matchupGroupSize ?? 4,
    );
    const judged = await Promise.all(
      pairs.map(([i, j]) =>
        this.opts.preferenceModel(this.comparisonOf(responses[i]!.message, responses[j]!.message)),
      ),
    );
    const winMinusLoss = responses.map(() => 0);
    const matchups = responses.map(() => 0);
    pairs.forEach(([i, j], k) => {
      const r = judged[k] as number; // > 0: j (B) preferred
      winMinusLoss[j] = (winMinusLoss[j] as number) + r;
      winMinusLoss[i] = (winMinusLoss[i] as number) - r;
      matchups[i] = (matchups[i] as number) + 1;
      matchups[j] = (matchups[j] as number) + 1;
    });
    const formatCoef = 1;
    return responses.map((r, k) => {
      const mc = matchups[k] as number;
      const wml = mc > 0 ? (winMinusLoss[k] as number) / mc : 0;
      const format = r.valid ? 1 : 0;
      const response_chars = getTextContent(this.judgedMessage(r.message)).length;
      return {
        reward: wml + formatCoef * (format - 1),
        metrics: { win_minus_loss: wml, format, response_chars },
      };
    });
  }

  loggingTags(): string[] {
    return ["pair_pref"];
  }
}

export interface PairwisePreferenceDatasetOptions {
  comparisonBuilder: ComparisonDatasetBuilder;
  renderer: EnvRenderer;
  batchSize: number;
  preferenceModel: PreferenceModel;
  tournamentPattern?: TournamentPattern;
  groupSize?: number;
  contentPreprocessor?: ((text: string) => string) | null;
}

/** `PairwisePreferenceDataset`: batch i = the prompts of train rows [i·batchSize, (i+1)·batchSize), one group each. */
export async function pairwisePreferenceDataset(o: PairwisePreferenceDatasetOptions): Promise<RLDataset> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1)
    throw new ConfigurationError(`batch_size must be a positive integer, got ${o.batchSize}`);
  const { train } = await o.comparisonBuilder.getTrainAndTestDatasets();
  const toGroup = (lc: LabeledComparison) =>
    new PairwisePreferenceGroupBuilder({
      convoPrefix: lc.comparison.promptConversation,
      policyRenderer: o.renderer,
      preferenceModel: o.preferenceModel,
      tournamentPattern: o.tournamentPattern ?? "all_pairs_both_ways",
      numEnvs: o.groupSize ?? 4,
      contentPreprocessor: o.contentPreprocessor ?? null,
    });
  return {
    length: Math.floor(train.length / o.batchSize),
    getBatch(index: number): EnvGroupBuilder[] {
      const rows = train.slice(index * o.batchSize, (index + 1) * o.batchSize);
      return rows
        .map((row) => o.comparisonBuilder.exampleToLabeledComparison(row))
        .filter((lc): lc is LabeledComparison => lc !== null)
        .map(toGroup);
    },
  };
}

/** `PairwisePreferenceRLDatasetBuilder`: builds the preference model, then the dataset (no test set). */
export function pairwisePreferenceRLDatasetBuilder(
  o: Omit<PairwisePreferenceDatasetOptions, "preferenceModel"> & {
    preferenceModelBuilder: PreferenceModelBuilder;
  },
): RLDatasetBuilder {
  return async () => {
    const { preferenceModelBuilder, ...rest } = o;
    const train = await pairwisePreferenceDataset({
      ...rest,
      preferenceModel: await preferenceModelBuilder(),
    });
    return { train, test: null };
  };
}
