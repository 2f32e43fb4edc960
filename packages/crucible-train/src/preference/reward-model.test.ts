// The reward-model pieces: comparison rendering (what is trained), the comparison → datum builder (the cookbook's
// random A/B swap, reproduced with Python's random.Random(0)), label parsing, and the evaluators' statistics.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { type Datum, ModelInput } from "@crucible/tinker-client";
import { afterAll, describe, expect, it } from "vitest";
import { lossInput } from "../supervised/common.js";
import { JsonlComparisonBuilder } from "./comparison-builders.js";
import { ChatDatasetBuilderFromComparisons, getLabeledComparisons } from "./comparison-datasets.js";
import { meanAndStderr } from "./comparison-evaluator.js";
import { ComparisonRendererFromChatRenderer, PREFERENCE_MARKER } from "./comparison-renderer.js";
import { scoreOfLabel } from "./preference-model.js";
import type { LabeledComparison } from "./types.js";

const qwen = getRenderer("role_colon", getTokenizerSync("Qwen/Qwen3-8B"));
const bytes = getRenderer("role_colon", getTokenizerSync("crucible/tiny-bytes"));
const lc = (label: "A" | "B" | "Tie", a = "Paris.", b = "Paris. I hope this helps!"): LabeledComparison => ({
  comparison: {
    promptConversation: [{ role: "user", content: "Capital of France?" }],
    completionA: [{ role: "assistant", content: a }],
    completionB: [{ role: "assistant", content: b }],
  },
  label,
});

/** The decoded trained tokens of a datum (its targets where weight > 0). */
function trained(d: Datum, decode: (t: number[]) => string): string {
  const w = lossInput(d, "weights");
  const t = lossInput(d, "target_tokens");
  return decode(t.filter((_, i) => (w[i] as number) > 0));
}

const tmp = mkdtempSync(join(tmpdir(), "crucible-rm-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("ComparisonRendererFromChatRenderer", () => {
  it("renders prompt, both completions under markers, and asks for the preference", () => {
    const r = new ComparisonRendererFromChatRenderer(qwen);
    const text = qwen.tokenizer.decode(ModelInput.toInts(r.buildGenerationPrompt(lc("A").comparison)));
    expect(text).toBe(
      "User: Capital of France?\n\nSystem: ==== Completion A ====\n\nAssistant: Paris.\n\n" +
        "System: ==== Completion B ====\n\nAssistant: Paris. I hope this helps!\n\n" +
        `System: ${PREFERENCE_MARKER}\n\nAssistant:`,
    );
  });

  it("trains exactly the label's first token, the sequence ending there (BPE: ' A' is one token)", () => {
    const r = new ComparisonRendererFromChatRenderer(qwen);
    for (const label of ["A", "B"] as const) {
      const { modelInput, weights } = r.toModelInputWeights(lc(label));
      const toks = ModelInput.toInts(modelInput);
      expect(toks.length).toBe(weights.length);
      expect(Array.from(weights).filter((w) => w === 1)).toHaveLength(1);
      expect(weights.at(-1)).toBe(1);
      expect(qwen.tokenizer.decode(toks.slice(-1))).toBe(` ${label}`);
      const prompt = ModelInput.toInts(r.buildGenerationPrompt(lc(label).comparison));
      expect(toks.slice(0, -1)).toEqual(prompt);
    }
    expect(r.labelTokenCount()).toBe(1);
  });

  it("with a byte vocabulary keeps the space and the letter, so the label itself is learnt", () => {
    const r = new ComparisonRendererFromChatRenderer(bytes);
    const { modelInput, weights } = r.toModelInputWeights(lc("B"));
    const toks = ModelInput.toInts(modelInput);
    expect(Array.from(weights.slice(-2))).toEqual([1, 1]);
    expect(weights.filter((w) => w === 1)).toHaveLength(2);
    expect(bytes.tokenizer.decode(toks.slice(-2))).toBe(" B");
    expect(r.labelTokenCount()).toBe(2);
  });
});

describe("ChatDatasetBuilderFromComparisons", () => {
  const file = join(tmp, "cmp.jsonl");
  const rows = Array.from({ length: 6 }, (_, i) => ({
    prompt_conversation: [{ role: "user", content: `Q${i}?` }],
    completion_A: [{ role: "assistant", content: "short" }],
    completion_B: [{ role: "assistant", content: "a much longer answer" }],
    label: "A",
  }));
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  const common = {
    modelNameForTokenizer: "Qwen/Qwen3-8B",
    rendererName: "role_colon",
    maxLength: null,
    batchSize: 5,
  };

  it("swaps A/B with probability ½ drawn from random.Random(0), like the cookbook", async () => {
    const b = new ChatDatasetBuilderFromComparisons(
      common,
      new JsonlComparisonBuilder(file, 0, null),
      false,
      qwen,
    );
    const { train } = await b.build();
    const batch = await train.getBatch(0);
    // random.Random(0).random() = 0.844, 0.758, 0.421, 0.259, 0.511 → swap the 3rd and 4th (< 0.5).
    expect(batch.map((d) => trained(d, (t) => qwen.tokenizer.decode(t)))).toEqual([
      " A",
      " A",
      " B",
      " B",
      " A",
    ]);
    const text = qwen.tokenizer.decode(ModelInput.toInts(batch[2]!.modelInput));
    expect(text).toContain("Completion A ====\n\nAssistant: a much longer answer");
  });

  it("swap=true gives both orders of every comparison", async () => {
    const b = new ChatDatasetBuilderFromComparisons(
      common,
      new JsonlComparisonBuilder(file, 0, null),
      true,
      qwen,
    );
    const { train } = await b.build();
    const labels = (await train.getBatch(0)).map((d) => trained(d, (t) => qwen.tokenizer.decode(t)));
    expect(labels).toEqual(Array.from({ length: 5 }, () => [" A", " B"]).flat());
  });

  it("holds out the test comparisons as one batch and lists labeled comparisons", async () => {
    const cb = new JsonlComparisonBuilder(file, 2, 0);
    const { train, test } = await new ChatDatasetBuilderFromComparisons(
      { ...common, batchSize: 2 },
      cb,
      false,
      qwen,
    ).build();
    expect(train.length).toBe(2);
    expect(test?.length).toBe(1);
    const all = await getLabeledComparisons(cb);
    expect(all.train).toHaveLength(4);
    expect(all.test).toHaveLength(2);
  });
});

describe("labels and statistics", () => {
  it("maps preference-model answers to scores", () => {
    expect([scoreOfLabel(" A"), scoreOfLabel("B\n"), scoreOfLabel("Tie"), scoreOfLabel("C")]).toEqual([
      -1,
      1,
      0,
      null,
    ]);
  });
  it("mean and standard error match numpy (std ddof=1 / sqrt n)", () => {
    // np.mean([0, 0.5, 1, 1]) = 0.625; np.std(..., ddof=1) / 2 = 0.23935677693908453
    const { mean, stderr } = meanAndStderr([0, 0.5, 1, 1]);
    expect(mean).toBe(0.625);
    expect(stderr).toBeCloseTo(0.23935677693908453, 15);
    expect(meanAndStderr([0.25])).toEqual({ mean: 0.25, stderr: 0 });
  });
});
