// IFEval (google/IFEval train): the prompt goes to the model as is; the scorer runs every instruction's checker on
// the answer. A sample's value is prompt-level strict accuracy (all instructions followed); the metrics add
// instruction-level and loose accuracies from the per-instruction results kept in the score metadata.

import { BenchmarkDataError } from "../../benchmarks/problems.js";
import { stderr } from "../../inspect/metrics.js";
import { generate } from "../../inspect/solvers.js";
import type { Metric, Scorer, Task } from "../../inspect/types.js";
import { CORRECT, INCORRECT } from "../../inspect/types.js";
import { int, str, strList, type TaskLoadOptions, taskRows } from "../common.js";
import { CHECKERS, checkInstructions, type Kwargs } from "./checkers.js";

function pooled(name: string, key: "strict" | "loose", level: "prompt" | "instruction"): Metric {
  return {
    name,
    compute(_values, scores = []) {
      const results = scores.map((s) => (s.metadata?.[key] as boolean[] | undefined) ?? []);
      if (level === "prompt")
        return results.length ? results.filter((r) => r.every(Boolean)).length / results.length : Number.NaN;
      const all = results.flat();
      return all.length ? all.filter(Boolean).length / all.length : Number.NaN;
    },
  };
}

export function ifevalScorer(): Scorer {
  return {
    name: "ifeval",
    metrics: [
      pooled("prompt_strict_acc", "strict", "prompt"),
      stderr(),
      pooled("inst_strict_acc", "strict", "instruction"),
      pooled("prompt_loose_acc", "loose", "prompt"),
      pooled("inst_loose_acc", "loose", "instruction"),
    ],
    async score(state) {
      const meta = state.sample.metadata ?? {};
      const ids = meta["instruction_id_list"] as string[];
      const kwargs = meta["kwargs"] as Kwargs[];
      const prompt = typeof state.sample.input === "string" ? state.sample.input : "";
      const r = state.output.completion;
      const strict = checkInstructions(r, ids, kwargs, prompt);
      const loose = checkInstructions(r, ids, kwargs, prompt, true);
      return {
        value: strict.every(Boolean) ? CORRECT : INCORRECT,
        answer: r,
        metadata: { instruction_id_list: ids, strict, loose },
      };
    },
  };
}

export async function ifevalTask(opts: TaskLoadOptions = {}): Promise<Task> {
  const rows = await taskRows("ifeval", { hf: "google/IFEval", split: "train" }, opts);
  const dataset = rows.map((r, i) => {
    const ids = strList("ifeval", r, i, "instruction_id_list");
    for (const id of ids)
      if (!CHECKERS[id]) throw new BenchmarkDataError(`ifeval: row ${i}: unknown instruction '${id}'`);
    const kwargs = r["kwargs"];
    if (!Array.isArray(kwargs) || kwargs.length !== ids.length)
      throw new BenchmarkDataError(
        `ifeval: row ${i}: 'kwargs' must be a list with one entry per instruction`,
      );
    return {
      id: int("ifeval", r, i, "key"),
      input: str("ifeval", r, i, "prompt"),
      target: "",
      metadata: { instruction_id_list: ids, kwargs },
    };
  });
  return {
    name: "ifeval",
    dataset,
    datasetName: "google/IFEval",
    datasetLocation: opts.dataFile ?? opts.dataDir ?? "hf://google/IFEval/train",
    solver: [generate()],
    scorer: ifevalScorer(),
    config: { maxTokens: 1280, temperature: 0 },
  };
}
