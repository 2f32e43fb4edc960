// The dashboard's models × benchmarks view: the model registry's score table (latest score ± stderr per model and
// task), with each cell's eval log and per-sample transcript served under /registry/… — only files the registry
// names, so the route cannot read anything else.
import { existsSync } from "node:fs";
import type { ScoreTable } from "@crucible/eval";

export interface ModelsView extends ScoreTable {
  /** The registry file read, or null when there is none. */
  registry: string | null;
  /** Per row, per task: URLs of the cell's eval log and transcript on this server. */
  links: Record<string, { log: string | null; transcript: string | null }>[];
}

/** The registry's table with link URLs; `allowed` collects the files those URLs may serve. */
export async function modelsView(registryFile: string | null, allowed: Set<string>): Promise<ModelsView> {
  if (!registryFile || !existsSync(registryFile)) return { registry: null, tasks: [], rows: [], links: [] };
  const { ModelRegistry, scoreTable } = await import("@crucible/eval");
  const reg = ModelRegistry.open(registryFile);
  let table: ScoreTable;
  try {
    table = scoreTable(reg);
  } finally {
    reg.close();
  }
  const url = (file: string | null) => {
    if (!file || !existsSync(file)) return null;
    allowed.add(file);
    return `/registry/file?path=${encodeURIComponent(file)}`;
  };
  const links = table.rows.map((r) =>
    Object.fromEntries(
      Object.entries(r.cells).map(([task, c]) => [
        task,
        { log: url(c.logFile), transcript: url(c.logFile?.replace(/\.json$/, ".html") ?? null) },
      ]),
    ),
  );
  return { registry: registryFile, ...table, links };
}
