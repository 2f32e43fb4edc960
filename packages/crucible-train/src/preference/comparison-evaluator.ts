// Evaluators around a preference model: how often the policy beats reference completions (ComparisonEvaluator),
// and how often the reward model agrees with held-out human labels (PairwiseAccuracyEvaluator).
import { type MessageCompleter, type SamplingClientLike, tinkerMessageCompleter } from "@crucible/env";
import { getTextContent, type Message, type Renderer } from "@crucible/renderers";
import { type PreferenceModelBuilder, preferenceModelFromChatRenderer } from "./preference-model.js";
import { type Comparison, type LabeledComparison, swapComparison } from "./types.js";

/** Mean and standard error (sample std, ddof 1, over √n; 0 for a single value). */
export function meanAndStderr(xs: readonly number[]): { mean: number; stderr: number } {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, stderr: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, stderr: 0 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance) / Math.sqrt(n) };
}

export interface ComparisonEvaluatorOptions {
  preferenceModelBuilder: PreferenceModelBuilder;
  /** `completionA` is the reference; `completionB` is replaced by the policy's answer. */
  comparisons: readonly Comparison[];
  renderer: Renderer;
  /** Judge both orders and average (debiases position preference). Default true. */
  bothWays?: boolean;
  maxTokens?: number;
  contentPreprocessor?: (text: string) => string;
  /** Metric prefix: `<name>/win_rate`, `<name>/stderr`. Default "test". */
  name?: string;
}

/**
 * `ComparisonEvaluator`: the policy answers each prompt; the preference model judges reference (A) against it (B)
 * both ways; per comparison `(r(A,B) − r(B,A) + 2) / 4` ∈ [0, 1] is the policy's win score. Reports the mean as
 * `win_rate` with its standard error. Fits both the SL loop (`kind`) and the RL loop (`name`).
 */
export class ComparisonEvaluator {
  readonly kind = "sampling" as const;
  readonly name: string;
  constructor(readonly opts: ComparisonEvaluatorOptions) {
    this.name = opts.name ?? "test";
  }

  async evaluate(samplingClient: SamplingClientLike): Promise<Record<string, number>> {
    const o = this.opts;
    const pm = await o.preferenceModelBuilder();
    const policy: MessageCompleter = tinkerMessageCompleter({
      samplingClient,
      renderer: o.renderer,
      maxTokens: o.maxTokens ?? 1024,
    });
    const pre = o.contentPreprocessor ?? ((x: string) => x);
    const scores = await Promise.all(
      o.comparisons.map(async (c) => {
        const answer = await policy(c.promptConversation);
        const completionB: Message[] = [{ role: "assistant", content: pre(getTextContent(answer)) }];
        const withPolicy: Comparison = { ...c, completionB };
        if (o.bothWays === false) return ((await pm(withPolicy)) + 1) / 2;
        const [r0, r1] = await Promise.all([pm(withPolicy), pm(swapComparison(withPolicy))]);
        return (r0 - r1 + 2) / 4;
      }),
    );
    const { mean, stderr } = meanAndStderr(scores);
    return { [`${this.name}/win_rate`]: mean, [`${this.name}/stderr`]: stderr };
  }
}

export interface PairwiseAccuracyOptions {
  /** Held-out comparisons with their human labels (ties are skipped: they have no right side). */
  comparisons: readonly LabeledComparison[];
  /** The reward model's chat renderer (the sampler under evaluation holds the reward model's weights). */
  renderer: Renderer;
  /** Metric prefix. Default "test". */
  name?: string;
}

/**
 * Pairwise accuracy of a reward model: the fraction of held-out comparisons where its answer (sampled greedily,
 * as `PreferenceModelFromChatRenderer` does) names the labeled winner. Chance is 0.5 on a balanced set; answers
 * that are neither A, B nor Tie count as wrong and are reported as `pm_invalid_fraction`.
 */
export class PairwiseAccuracyEvaluator {
  readonly kind = "sampling" as const;
  readonly name: string;
  constructor(readonly opts: PairwiseAccuracyOptions) {
    this.name = opts.name ?? "test";
  }

  async evaluate(samplingClient: SamplingClientLike): Promise<Record<string, number>> {
    let invalid = 0;
    const pm = preferenceModelFromChatRenderer(this.opts.renderer, samplingClient, {
      onInvalid: () => {
        invalid++;
      },
    });
    const decided = this.opts.comparisons.filter((lc) => lc.label !== "Tie");
    const correct = await Promise.all(
      decided.map(async (lc) => {
        const s = await pm(lc.comparison);
        return (lc.label === "A" && s < 0) || (lc.label === "B" && s > 0) ? 1 : 0;
      }),
    );
    const { mean, stderr } = meanAndStderr(correct);
    return {
      [`${this.name}/pairwise_accuracy`]: mean,
      [`${this.name}/pairwise_accuracy_stderr`]: stderr,
      [`${this.name}/pm_invalid_fraction`]: decided.length > 0 ? invalid / decided.length : Number.NaN,
    };
  }
}
