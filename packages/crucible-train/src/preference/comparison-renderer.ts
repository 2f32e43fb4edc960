// Rendering a comparison for a reward model: the prompt, both completions under section markers, then the label
// ("A", "B" or "Tie") as the assistant's answer. The reward model is a chat model that learns to say the label.
import type { Message, Renderer, Tokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { DataValidationError } from "../errors.js";
import type { Comparison, LabeledComparison } from "./types.js";

/** `ComparisonRenderer`: comparison → generation prompt (to ask for a label) or → supervised example (to learn it). */
export interface ComparisonRenderer {
  buildGenerationPrompt(comparison: Comparison): ModelInput;
  toModelInputWeights(lc: LabeledComparison): { modelInput: ModelInput; weights: Float32Array };
  readonly tokenizer: Tokenizer;
}

/** The section markers the cookbook places between the parts of a comparison (system messages). */
export const COMPLETION_A_MARKER = "==== Completion A ====";
export const COMPLETION_B_MARKER = "==== Completion B ====";
export const PREFERENCE_MARKER = "==== Preference ====";

/** `ComparisonRendererFromChatRenderer`: a chat renderer over `[prompt…, A marker, A…, B marker, B…, Preference]`. */
export class ComparisonRendererFromChatRenderer implements ComparisonRenderer {
  constructor(readonly convoRenderer: Renderer) {}

  get tokenizer(): Tokenizer {
    return this.convoRenderer.tokenizer;
  }

  comparisonToConvo(c: Comparison): Message[] {
    return [
      ...c.promptConversation,
      { role: "system", content: COMPLETION_A_MARKER },
      ...c.completionA,
      { role: "system", content: COMPLETION_B_MARKER },
      ...c.completionB,
      { role: "system", content: PREFERENCE_MARKER },
    ];
  }

  buildGenerationPrompt(c: Comparison): ModelInput {
    return this.convoRenderer.buildGenerationPrompt(this.comparisonToConvo(c));
  }

  /**
   * The conversation with the label as the last assistant message, cut right after the label's first token: the
   * reward model learns only that token, which is what the preference model samples. Where the tokenizer splits a
   * leading space off the label (byte-level vocabularies: " A" is two tokens), the cut is after the first
   * non-blank token, so the label itself is still learnt; with BPE vocabularies (" A" is one token) this is the
   * cookbook's "first trained token".
   */
  toModelInputWeights(lc: LabeledComparison): { modelInput: ModelInput; weights: Float32Array } {
    const convo: Message[] = [
      ...this.comparisonToConvo(lc.comparison),
      { role: "assistant", content: lc.label },
    ];
    const { modelInput, weights } = this.convoRenderer.buildSupervisedExample(convo);
    if (modelInput.chunks.some((c) => c.type !== "encoded_text")) {
      throw new DataValidationError(
        "preference learning supports text-only comparisons (found an image chunk)",
      );
    }
    const first = weights.indexOf(1);
    if (first < 0) return { modelInput, weights };
    const tokens = ModelInput.toInts(modelInput);
    let end = first;
    while (
      end + 1 < tokens.length &&
      weights[end + 1] === 1 &&
      this.tokenizer.decode([tokens[end] as number]).trim() === ""
    )
      end++;
    return { modelInput: ModelInput.fromInts(tokens.slice(0, end + 1)), weights: weights.slice(0, end + 1) };
  }

  /** Tokens a preference model samples to read a label: those `toModelInputWeights` trains (1 for BPE vocabularies). */
  labelTokenCount(): number {
    const empty = { promptConversation: [], completionA: [], completionB: [] };
    const { weights } = this.toModelInputWeights({ comparison: empty, label: "A" });
    return Math.max(
      1,
      weights.reduce((n, w) => n + (w === 1 ? 1 : 0), 0),
    );
  }
}
