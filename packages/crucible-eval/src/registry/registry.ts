// The model registry: an embedded SQLite database (better-sqlite3, WAL journal) under the log root that records
// every checkpoint (base model, LoRA rank, recipe, data, step, tinker:// path) and every eval result, with a
// status per checkpoint (candidate → promoted / archived). Every write is one transaction, so concurrent writers
// (other processes) serialise on SQLite's lock (busy timeout) and a process killed mid-write loses only its own
// uncommitted transaction.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";

export const CHECKPOINT_STATUSES = ["candidate", "promoted", "archived"] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

export interface CheckpointRecord {
  /** tinker:// path of the weights (sampler or state); the key. */
  path: string;
  baseModel: string;
  loraRank?: number | null;
  recipe?: string | null;
  data?: string | null;
  step?: number | null;
  runDir?: string | null;
  /** "sampler" (sampling weights) or "state" (weights + optimizer, for resuming). */
  kind?: "sampler" | "state";
  metadata?: Record<string, unknown>;
}

export interface StoredCheckpoint extends Required<Omit<CheckpointRecord, "metadata">> {
  status: CheckpointStatus;
  createdAt: string;
  metadata: Record<string, unknown>;
}

export interface EvalRecord {
  /** A checkpoint path or a base model name. */
  model: string;
  task: string;
  metrics: Record<string, number>;
  logFile?: string | null;
}

export interface StoredEval {
  model: string;
  task: string;
  metric: string;
  value: number;
  logFile: string | null;
  createdAt: string;
}

export class RegistryError extends Error {
  override readonly name = "RegistryError";
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  path TEXT PRIMARY KEY,
  base_model TEXT NOT NULL,
  lora_rank INTEGER,
  recipe TEXT,
  data TEXT,
  step INTEGER,
  run_dir TEXT,
  kind TEXT NOT NULL DEFAULT 'sampler' CHECK (kind IN ('sampler', 'state')),
  status TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'promoted', 'archived')),
  created_at TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS eval_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  task TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  log_file TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eval_results_model_task ON eval_results (model, task, metric);
`;

/** `<logRoot>/registry.sqlite`. */
export function registryPath(logRoot: string): string {
  return join(logRoot, "registry.sqlite");
}

type Row = Record<string, unknown>;

function toCheckpoint(r: Row): StoredCheckpoint {
  return {
    path: String(r["path"]),
    baseModel: String(r["base_model"]),
    loraRank: (r["lora_rank"] as number | null) ?? null,
    recipe: (r["recipe"] as string | null) ?? null,
    data: (r["data"] as string | null) ?? null,
    step: (r["step"] as number | null) ?? null,
    runDir: (r["run_dir"] as string | null) ?? null,
    kind: r["kind"] as "sampler" | "state",
    status: r["status"] as CheckpointStatus,
    createdAt: String(r["created_at"]),
    metadata: JSON.parse(String(r["metadata"])) as Record<string, unknown>,
  };
}

export class ModelRegistry {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): ModelRegistry {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 15_000 });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA);
    return new ModelRegistry(db);
  }

  close(): void {
    this.db.close();
  }

  /** Adds a checkpoint, or updates its facts (its status is kept). */
  registerCheckpoint(c: CheckpointRecord): void {
    if (!c.path) throw new RegistryError("checkpoint path is empty");
    this.db
      .prepare(
        `INSERT INTO checkpoints (path, base_model, lora_rank, recipe, data, step, run_dir, kind, created_at, metadata)
         VALUES (@path, @baseModel, @loraRank, @recipe, @data, @step, @runDir, @kind, @createdAt, @metadata)
         ON CONFLICT(path) DO UPDATE SET base_model = excluded.base_model, lora_rank = excluded.lora_rank,
           recipe = excluded.recipe, data = excluded.data, step = excluded.step, run_dir = excluded.run_dir,
           kind = excluded.kind, metadata = excluded.metadata`,
      )
      .run({
        path: c.path,
        baseModel: c.baseModel,
        loraRank: c.loraRank ?? null,
        recipe: c.recipe ?? null,
        data: c.data ?? null,
        step: c.step ?? null,
        runDir: c.runDir ?? null,
        kind: c.kind ?? "sampler",
        createdAt: new Date().toISOString(),
        metadata: JSON.stringify(c.metadata ?? {}),
      });
  }

  /** Records one eval run's metrics (one row per metric, in one transaction). */
  recordEval(e: EvalRecord): void {
    const insert = this.db.prepare(
      "INSERT INTO eval_results (model, task, metric, value, log_file, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const [metric, value] of Object.entries(e.metrics))
        if (Number.isFinite(value)) insert.run(e.model, e.task, metric, value, e.logFile ?? null, now);
    })();
  }

  /**
   * Registers the checkpoint an eval ran on and records the eval against its path, in one transaction: a
   * process killed mid-write leaves both or neither (an inline eval of a training run lands this way).
   */
  recordCheckpointEval(c: CheckpointRecord, e: Omit<EvalRecord, "model">): void {
    this.db.transaction(() => {
      this.registerCheckpoint(c);
      this.recordEval({ ...e, model: c.path });
    })();
  }

  list(filter: { status?: CheckpointStatus; baseModel?: string } = {}): StoredCheckpoint[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.status) {
      where.push("status = ?");
      args.push(filter.status);
    }
    if (filter.baseModel) {
      where.push("base_model = ?");
      args.push(filter.baseModel);
    }
    const sql = `SELECT * FROM checkpoints ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, path`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toCheckpoint);
  }

  get(path: string): StoredCheckpoint | undefined {
    const r = this.db.prepare("SELECT * FROM checkpoints WHERE path = ?").get(path) as Row | undefined;
    return r ? toCheckpoint(r) : undefined;
  }

  /** Every eval row of a model, oldest first. */
  evals(model: string): StoredEval[] {
    return (
      this.db.prepare("SELECT * FROM eval_results WHERE model = ? ORDER BY id").all(model) as Row[]
    ).map((r) => ({
      model: String(r["model"]),
      task: String(r["task"]),
      metric: String(r["metric"]),
      value: Number(r["value"]),
      logFile: (r["log_file"] as string | null) ?? null,
      createdAt: String(r["created_at"]),
    }));
  }

  /** The latest value of each task/metric per model: models × "task/metric". */
  latestScores(models: readonly string[], metric = "accuracy"): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    const q = this.db.prepare(
      `SELECT task, value FROM eval_results WHERE model = ? AND metric = ? AND id IN
         (SELECT MAX(id) FROM eval_results WHERE model = ? AND metric = ? GROUP BY task)`,
    );
    for (const m of models) {
      const row = new Map<string, number>();
      for (const r of q.all(m, metric, m, metric) as Row[]) row.set(String(r["task"]), Number(r["value"]));
      out.set(m, row);
    }
    return out;
  }

  /** Models that have eval results (checkpoints and base models), in first-seen order. */
  evaluatedModels(): string[] {
    return (
      this.db.prepare("SELECT model FROM eval_results GROUP BY model ORDER BY MIN(id)").all() as Row[]
    ).map((r) => String(r["model"]));
  }

  setStatus(path: string, status: CheckpointStatus): void {
    if (!CHECKPOINT_STATUSES.includes(status))
      throw new RegistryError(`status must be one of ${CHECKPOINT_STATUSES.join(", ")} (got ${status})`);
    const r = this.db.prepare("UPDATE checkpoints SET status = ? WHERE path = ?").run(status, path);
    if (r.changes === 0)
      throw new RegistryError(`no checkpoint ${path} in the registry (see crucible registry list)`);
  }

  /** Integrity check of the database file ("ok" when sound). */
  integrity(): string {
    return String(this.db.pragma("integrity_check", { simple: true }));
  }
}
