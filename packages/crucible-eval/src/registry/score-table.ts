// The models × benchmarks table of the registry (rows: checkpoints and base models with eval results, columns:
// tasks), each cell the latest eval run of that model on that task: its main metric, its stderr and its log.
import type { ModelRegistry, StoredCheckpoint, StoredEval } from "./registry.js";

export interface ScoreCell {
  /** The main metric: `accuracy` when the task reports it, else its first metric. */
  metric: string;
  value: number;
  stderr: number | null;
  logFile: string | null;
  createdAt: string;
}

export interface ScoreRow {
  model: string;
  /** The registered checkpoint behind `model` (a tinker:// path), or null for a base model. */
  checkpoint: StoredCheckpoint | null;
  /** task → its latest score. */
  cells: Record<string, ScoreCell>;
}

export interface ScoreTable {
  tasks: string[];
  rows: ScoreRow[];
}

/** One eval run = the rows recordEval wrote in one transaction (same task, time and log). */
function latestRuns(evals: readonly StoredEval[]): Map<string, StoredEval[]> {
  const out = new Map<string, StoredEval[]>();
  for (const e of evals) {
    const cur = out.get(e.task);
    const same = cur?.[0] && cur[0].createdAt === e.createdAt && cur[0].logFile === e.logFile;
    if (cur && same) cur.push(e);
    else out.set(e.task, [e]);
  }
  return out;
}

function cellOf(run: readonly StoredEval[]): ScoreCell | null {
  const plain = run.filter((e) => !e.metric.includes("/") && e.metric !== "stderr");
  const main = plain.find((e) => e.metric === "accuracy") ?? plain[0];
  if (!main) return null;
  const stderr = run.find((e) => e.metric === "stderr");
  return {
    metric: main.metric,
    value: main.value,
    stderr: stderr ? stderr.value : null,
    logFile: main.logFile,
    createdAt: main.createdAt,
  };
}

export function scoreTable(
  reg: ModelRegistry,
  models: readonly string[] = reg.evaluatedModels(),
): ScoreTable {
  const tasks = new Set<string>();
  const rows = models.map((model) => {
    const cells: Record<string, ScoreCell> = {};
    for (const [task, run] of latestRuns(reg.evals(model))) {
      const cell = cellOf(run);
      if (!cell) continue;
      cells[task] = cell;
      tasks.add(task);
    }
    return { model, checkpoint: reg.get(model) ?? null, cells };
  });
  return { tasks: [...tasks].sort(), rows };
}
