// Multiple-choice benchmarks as tasks (the model answers "ANSWER: <letter>", scored by `choice()`): MMLU
// (cais/mmlu all/test), GPQA-diamond (Idavidrein/gpqa gpqa_diamond/train; the four answers are shuffled with a
// seeded permutation per question), ARC-Challenge (allenai/ai2_arc) and HellaSwag (Rowan/hellaswag validation).
import { defaultRng } from "@crucible/env";
import { BenchmarkDataError } from "../benchmarks/problems.js";
import { letterOf, multipleChoice } from "../inspect/solvers.js";
import { choice } from "../inspect/text-scorers.js";
import type { Sample, Task } from "../inspect/types.js";
import { int, str, strList, type TaskLoadOptions, taskRows } from "./common.js";

function mcTask(
  name: string,
  dataset: Sample[],
  datasetName: string,
  location: string,
  template?: string,
): Task {
  return {
    name,
    dataset,
    datasetName,
    datasetLocation: location,
    solver: [multipleChoice(template ? { template } : {})],
    scorer: choice(),
    config: { maxTokens: 1024, temperature: 0 },
  };
}

export async function mmluTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows("mmlu", { hf: "cais/mmlu", config: "all", split: "test" }, opts);
  const dataset = rows.map((r, i) => {
    const choices = strList("mmlu", r, i, "choices");
    const answer = int("mmlu", r, i, "answer");
    if (answer < 0 || answer >= choices.length)
      throw new BenchmarkDataError(`mmlu: row ${i}: answer ${answer} is not a choice index`);
    return {
      id: i,
      input: str("mmlu", r, i, "question"),
      choices,
      target: letterOf(answer),
      metadata: { subject: String(r["subject"] ?? "") },
    };
  });
  return mcTask("mmlu", dataset, "cais/mmlu", opts.dataFile ?? opts.dataDir ?? "hf://cais/mmlu/all/test");
}

export async function gpqaDiamondTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows(
    "gpqa_diamond",
    { hf: "Idavidrein/gpqa", config: "gpqa_diamond", split: "train" },
    opts,
  );
  const rng = defaultRng(opts.seed ?? 0);
  const dataset = rows.map((r, i) => {
    const answers = [
      str("gpqa_diamond", r, i, "Correct Answer"),
      str("gpqa_diamond", r, i, "Incorrect Answer 1"),
      str("gpqa_diamond", r, i, "Incorrect Answer 2"),
      str("gpqa_diamond", r, i, "Incorrect Answer 3"),
    ].map((s) => s.trim());
    const order = rng.permutation(4);
    return {
      id: typeof r["Record ID"] === "string" ? r["Record ID"] : i,
      input: str("gpqa_diamond", r, i, "Question").trim(),
      choices: order.map((k) => answers[k]!),
      target: letterOf(order.indexOf(0)),
    };
  });
  return mcTask(
    "gpqa_diamond",
    dataset,
    "Idavidrein/gpqa",
    opts.dataFile ?? opts.dataDir ?? "hf://Idavidrein/gpqa/gpqa_diamond/train",
  );
}

export async function arcChallengeTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows(
    "arc_challenge",
    { hf: "allenai/ai2_arc", config: "ARC-Challenge", split: "test" },
    opts,
  );
  const dataset = rows.map((r, i) => {
    const c = r["choices"] as { text?: unknown; label?: unknown } | undefined;
    if (!c || !Array.isArray(c.text) || !Array.isArray(c.label))
      throw new BenchmarkDataError(
        `arc_challenge: row ${i}: field 'choices' must be {text: [...], label: [...]}`,
      );
    const labels = (c.label as unknown[]).map(String);
    const k = labels.indexOf(str("arc_challenge", r, i, "answerKey"));
    if (k < 0)
      throw new BenchmarkDataError(
        `arc_challenge: row ${i}: answerKey is not one of the labels ${labels.join(",")}`,
      );
    return {
      id: String(r["id"] ?? i),
      input: str("arc_challenge", r, i, "question"),
      choices: (c.text as unknown[]).map(String),
      target: letterOf(k),
    };
  });
  return mcTask(
    "arc_challenge",
    dataset,
    "allenai/ai2_arc",
    opts.dataFile ?? opts.dataDir ?? "hf://allenai/ai2_arc/ARC-Challenge/test",
  );
}

export const HELLASWAG_TEMPLATE =
  'Choose the most plausible continuation for the story. The last line of your response should be of the form "ANSWER: $LETTER" (without quotes) where LETTER is one of {letters}.\n\n{question}\n\n{choices}';

export async function hellaswagTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows("hellaswag", { hf: "Rowan/hellaswag", split: "validation" }, opts);
  const dataset = rows.map((r, i) => {
    const endings = strList("hellaswag", r, i, "endings");
    const label = int("hellaswag", r, i, "label");
    return {
      id: String(r["ind"] ?? i),
      input: `${str("hellaswag", r, i, "activity_label")}: ${str("hellaswag", r, i, "ctx")}`,
      choices: endings,
      target: letterOf(label),
      metadata: { source_id: String(r["source_id"] ?? "") },
    };
  });
  return mcTask(
    "hellaswag",
    dataset,
    "Rowan/hellaswag",
    opts.dataFile ?? opts.dataDir ?? "hf://Rowan/hellaswag/validation",
    HELLASWAG_TEMPLATE,
  );
}
