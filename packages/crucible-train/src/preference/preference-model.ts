// Preference models: judge a comparison and return a score in [-1, 1] (-1 = A is better, 1 = B is better, 0 = tie).
// The learned one is a chat model that answers "A", "B" or "Tie" after the rendered comparison.
import type { SamplingClientLike } from "@crucible/env";
import { getLogger } from "@crucible/log";
import type { Renderer } from "@crucible/renderers";
import { ComparisonRendererFromChatRenderer } from "./comparison-renderer.js";
import type { Comparison } from "./types.js";

const log = getLogger("crucible.train.preference");

/** `PreferenceModel`: comparison → score in [-1, 1]; larger means completion B is preferred. */
export type PreferenceModel = (comparison: Comparison) => Promise<number>;

/** `PreferenceModelBuilder`: makes a preference model (e.g. opens a sampler on reward-model weights). */
export type PreferenceModelBuilder = () => PreferenceModel | Promise<PreferenceModel>;

/** The label a preference model answers with → its score (`null` for anything else). */
export function scoreOfLabel(text: string): number | null {
  const t = text.trim();
  return t === "A" ? -1 : t === "B" ? 1 : t === "Tie" ? 0 : null;
}

export interface ChatPreferenceModelOptions {
  /** Called with the decoded output when it is not A, B or Tie (scored 0 either way). */
  onInvalid?: (output: string) => void;
}

/**
 * `PreferenceModelFromChatRenderer`: renders the comparison, samples the label's token greedily (one token with
 * BPE vocabularies, as in the cookbook; space + letter with byte-level ones) and maps "A" → -1,
 * "B" → 1, "Tie" → 0; any other output scores 0 (and is reported to `onInvalid`, else logged).
 */
export function preferenceModelFromChatRenderer(
  convoRenderer: Renderer,
  samplingClient: SamplingClientLike,
  opts: ChatPreferenceModelOptions = {},
): PreferenceModel {
  const comparisonRenderer = new ComparisonRendererFromChatRenderer(convoRenderer);
  const maxTokens = comparisonRenderer.labelTokenCount();
  return async (comparison) => {
    const res = await samplingClient.sample({
      prompt: comparisonRenderer.buildGenerationPrompt(comparison),
      numSamples: 1,
      samplingParams: { temperature: 0, maxTokens },
    });
    const seq = res.sequences[0];
    if (!seq) throw new Error("preference model: the sampler returned no sequence");
    const output = comparisonRenderer.tokenizer.decode(seq.tokens);
    const score = scoreOfLabel(output);
    if (score !== null) return score;
    if (opts.onInvalid) opts.onInvalid(output);
    else log.warn(`invalid preference model output: ${JSON.stringify(output.trim())}`);
    return 0;
  };
}

/** What `preferenceModelBuilderFromChatRenderer` needs to open the reward model's sampler. */
export interface SamplerOpener {
  createSamplingClient(args: { modelPath: string }): Promise<SamplingClientLike>;
}

/**
 * `PreferenceModelBuilderFromChatRenderer`: a builder that opens a sampler on the reward model's weights
 * (`rmWeightsPath`, a `tinker://…/sampler_weights/…` path) once and serves a chat preference model from it.
 */
export function preferenceModelBuilderFromChatRenderer(args: {
  convoRenderer: Renderer;
  serviceClient: SamplerOpener;
  rmWeightsPath: string;
}): PreferenceModelBuilder {
  let sampler: Promise<SamplingClientLike> | undefined;
  return async () => {
    sampler ??= args.serviceClient.createSamplingClient({ modelPath: args.rmWeightsPath });
    return preferenceModelFromChatRenderer(args.convoRenderer, await sampler);
  };
}
