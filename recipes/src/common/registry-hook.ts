// Where runs and evals are recorded in the model registry: `<log root>/registry.sqlite`, the log root being
// $CRUCIBLE_LOG_ROOT or /tmp/tinker-examples (where run directories are generated). A run or eval is recorded
// when its directory lies inside the log root, so scratch runs elsewhere (tests, one-off dirs) stay out of it.
import { existsSync, readFileSync } from "node:fs";
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
  state_path?: string;
  sampler_path?: string;
}

/** Registers every checkpoint of a finished run (from its checkpoints.jsonl); returns how many. */
export async function registerRunCheckpoints(
  logPath: string,
  facts: { recipe: string; baseModel: string; loraRank: number | null; data: string | null },
): Promise<number> {
  const file = join(logPath, "checkpoints.jsonl");
  if (!existsSync(file) || !insideLogRoot(logPath)) return 0;
  const lines: CheckpointLine[] = [];
  for (const l of readFileSync(file, "utf8").split("\n")) {
    if (!l.trim()) continue;
    try {
      lines.push(JSON.parse(l) as CheckpointLine);
    } catch {
      /* a torn last line */
    }
  }
  const { ModelRegistry, registryPath } = await import("@crucible/eval");
  const reg = ModelRegistry.open(registryPath(logRoot()));
  let n = 0;
  try {
    for (const c of lines) {
      const common = {
        ...facts,
        step: c.batch ?? null,
        runDir: resolve(logPath),
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
