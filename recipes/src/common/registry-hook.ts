// Where runs and evals are recorded in the model registry: `<log root>/registry.sqlite`, the log root being
// $CRUCIBLE_LOG_ROOT or /tmp/tinker-examples (where run directories are generated). A run or eval is recorded
// when its directory lies inside the log root, so scratch runs elsewhere (tests, one-off dirs) stay out of it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export function logRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env["CRUCIBLE_LOG_ROOT"] ?? "/tmp/tinker-examples");
}

export function insideLogRoot(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const rel = relative(logRoot(env), resolve(dir));
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/");
}

interface CheckpointLine {
  name?: string;
  batch?: number;
  /** The loop step, recorded by inline-eval saves (`eval_<step>`); else `batch` stands for it. */
  step?: number;
  state_path?: string;
  sampler_path?: string;
}

/** The checkpoints.jsonl lines of a run dir: its own, then those of stage subfolders (rlhf's sft/, rm/, rl/). */
function runCheckpointLines(logPath: string): { dir: string; line: CheckpointLine }[] {
  const dirs = [logPath];
  for (const e of readdirSync(logPath, { withFileTypes: true }))
    if (e.isDirectory()) dirs.push(join(logPath, e.name));
  const out: { dir: string; line: CheckpointLine }[] = [];
  for (const dir of dirs) {
    const file = join(dir, "checkpoints.jsonl");
    if (!existsSync(file)) continue;
    for (const l of readFileSync(file, "utf8").split("\n")) {
      if (!l.trim()) continue;
      try {
        out.push({ dir, line: JSON.parse(l) as CheckpointLine });
      } catch {
        /* a torn last line */
      }
    }
  }
  return out;
}

/**
 * Registers every checkpoint of a finished run (its checkpoints.jsonl and its stages'), with the recipe's name
 * (rows written during the run by inline evals get it here if they lacked it); returns how many.
 */
export async function registerRunCheckpoints(
  logPath: string,
  facts: { recipe: string; baseModel: string; loraRank: number | null; data: string | null },
): Promise<number> {
  if (!existsSync(logPath) || !insideLogRoot(logPath)) return 0;
  const lines = runCheckpointLines(logPath);
  if (lines.length === 0) return 0;
  const { ModelRegistry, registryPath } = await import("@crucible/eval");
  const reg = ModelRegistry.open(registryPath(logRoot()));
  let n = 0;
  try {
    for (const { dir, line: c } of lines) {
      const common = {
        ...facts,
        step: c.step ?? c.batch ?? null,
        runDir: resolve(dir),
        metadata: { name: c.name ?? null },
      };
      if (c.sampler_path) {
        reg.registerCheckpoint({ ...common, path: c.sampler_path, kind: "sampler" });
        n++;
      }
      if (c.state_path) {
        reg.registerCheckpoint({ ...common, path: c.state_path, kind: "state" });
        n++;
      }
    }
  } finally {
    reg.close();
  }
  return n;
}

/** Records an eval's metrics for a model (checkpoint path or base model) when out_dir is inside the log root. */
export async function recordEvalResult(
  outDir: string,
  rec: { model: string; task: string; metrics: Record<string, number>; logFile: string },
): Promise<boolean> {
  if (!insideLogRoot(outDir)) return false;
  const { ModelRegistry, registryPath } = await import("@crucible/eval");
  const reg = ModelRegistry.open(registryPath(logRoot()));
  try {
    reg.recordEval(rec);
  } finally {
    reg.close();
  }
  return true;
}

export interface RunFacts {
  recipe: string | null;
  baseModel: string;
  loraRank: number | null;
  data: string | null;
}

/**
 * The facts of a run as its config states them (model_name, lora_rank, dataset/env/dataset_name), for the
 * registry rows a run writes.
 */
export function runFacts(cfg: Record<string, unknown>, recipe: string | null): RunFacts {
  const str = (k: string) => (typeof cfg[k] === "string" ? (cfg[k] as string) : null);
  return {
    recipe,
    baseModel: str("model_name") ?? "unknown",
    loraRank: typeof cfg["lora_rank"] === "number" ? (cfg["lora_rank"] as number) : null,
    data: str("dataset") ?? str("env") ?? str("dataset_name"),
  };
}

/**
 * An inline eval's result as it lands: the sampler weights it ran on (saved by the loop at that step) are
 * registered with the run's facts and the scores recorded against them, in one transaction. Null (nothing
 * recorded) when the run lies outside the log root or the weights were not saved.
 */
export async function recordInlineEval(
  logPath: string,
  facts: RunFacts,
  r: {
    task: string;
    metrics: Record<string, number>;
    logFile: string;
    context: { step: number; weightsPath?: string } | undefined;
  },
): Promise<string | null> {
  const path = r.context?.weightsPath;
  if (!path || !insideLogRoot(logPath)) return null;
  const { ModelRegistry, registryPath } = await import("@crucible/eval");
  const reg = ModelRegistry.open(registryPath(logRoot()));
  try {
    reg.recordCheckpointEval(
      {
        ...facts,
        path,
        kind: "sampler",
        step: r.context!.step,
        runDir: resolve(logPath),
        metadata: { name: path.split("/").at(-1) ?? null, inline_eval: true },
      },
      { task: r.task, metrics: r.metrics, logFile: r.logFile },
    );
  } finally {
    reg.close();
  }
  return path;
}
