import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { HttpError, UserError } from "../server/errors.js";
import { readJsonIfExists, writeJsonAtomic } from "./atomic.js";
import {
  type CheckpointKind,
  checkpointId,
  formatTinkerPath,
  safeJoin,
  type TinkerPath,
  validateCheckpointName,
  validateRunId,
} from "./tinker-path.js";

/** What the store remembers about a training run (model id = run id), enough for `weights_info` after a restart. */
export interface RunRecord {
  training_run_id: string;
  session_id: string;
  base_model: string;
  lora_rank: number;
  train_mlp: boolean;
  train_attn: boolean;
  train_unembed: boolean;
  user_metadata?: Record<string, string>;
  /** API-key fingerprint of the creator when the server runs with per-key ownership. */
  owner?: string;
  created_at: string;
  last_request_time: string;
}

/** Wire `Checkpoint` (spec §2.6) as stored beside the weights. */
export interface CheckpointRecord {
  checkpoint_id: string;
  checkpoint_type: "training" | "sampler";
  time: string;
  tinker_path: string;
  size_bytes?: number;
  public: boolean;
  expires_at: string | null;
}

const META = "crucible-checkpoint.json";

/**
 * Local storage behind `tinker://<run>/<weights|sampler_weights>/<name>`:
 * `<root>/runs/<run>/run.json` and `<root>/runs/<run>/<kind>/<name>/` (engine files + metadata).
 * Every path is built from validated ids and checked to stay under `root`.
 */
export class CheckpointStore {
  readonly root: string;
  /** Names under `tmp/` that a save in this process is writing right now (never swept). */
  private readonly inFlight = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Creates the layout and removes what crashed saves left in `tmp/` (a kill -9 mid-save leaves a whole copy). */
  async init(): Promise<void> {
    await mkdir(join(this.root, "runs"), { recursive: true });
    await mkdir(join(this.root, "tmp"), { recursive: true });
    await mkdir(join(this.root, "ephemeral"), { recursive: true });
    await this.sweepTmp();
  }

  /**
   * Removes every entry of `tmp/` that no live save is writing: entries are named `<pid>-<uuid>`, and another
   * live process's entries are kept (two servers may share a checkpoint directory). Returns how many went.
   */
  async sweepTmp(): Promise<number> {
    const names = await readdir(join(this.root, "tmp")).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const save = owningSave(name);
      if (this.inFlight.has(save)) continue;
      const pid = Number(save.split("-")[0]);
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
      await rm(join(this.root, "tmp", name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** A fresh directory under `tmp/`, protected from sweeps (with the sibling temps written beside it) until `release`. */
  async tempDir(suffix = ""): Promise<{ dir: string; release: () => void }> {
    const name = `${process.pid}-${randomUUID()}${suffix}`;
    this.inFlight.add(name);
    const dir = safeJoin(this.root, "tmp", name);
    await mkdir(dir, { recursive: true });
    return { dir, release: () => this.inFlight.delete(name) };
  }

  runDir(runId: string): string {
    return safeJoin(this.root, "runs", validateRunId(runId));
  }

  checkpointDir(p: TinkerPath): string {
    return safeJoin(this.root, "runs", validateRunId(p.runId), p.kind, validateCheckpointName(p.name));
  }

  /** A directory for weights that belong to one sampling session and have no tinker path. */
  ephemeralDir(samplingSessionId: string): string {
    return safeJoin(this.root, "ephemeral", validateRunId(samplingSessionId, "sampling_session_id"));
  }

  async saveRun(run: RunRecord): Promise<void> {
    const dir = this.runDir(run.training_run_id);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, "run.json"), run);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return readJsonIfExists<RunRecord>(join(this.runDir(runId), "run.json"));
  }

  async listRuns(): Promise<RunRecord[]> {
    const ids = await readdir(join(this.root, "runs")).catch(() => [] as string[]);
    const runs: RunRecord[] = [];
    for (const id of ids) {
      const run = await readJsonIfExists<RunRecord>(join(this.root, "runs", id, "run.json"));
      if (run) runs.push(run);
    }
    return runs.sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /**
   * Saves atomically: `write(tmpDir)` fills a fresh temp dir, then it is renamed into place.
   * An existing checkpoint is replaced only with `overwrite`.
   */
  async save(
    p: TinkerPath,
    opts: { ttlSeconds?: number; overwrite: boolean },
    write: (dir: string) => Promise<void>,
  ): Promise<CheckpointRecord> {
    const final = this.checkpointDir(p);
    const exists = await this.exists(p);
    if (exists && !opts.overwrite) {
      throw new UserError(
        `checkpoint ${formatTinkerPath(p)} already exists; choose another name or pass overwrite=true`,
        409,
      );
    }
    const { dir: tmp, release } = await this.tempDir();
    try {
      await write(tmp);
      const now = new Date();
      const record: CheckpointRecord = {
        checkpoint_id: checkpointId(p),
        checkpoint_type: p.kind === "weights" ? "training" : "sampler",
        time: now.toISOString(),
        tinker_path: formatTinkerPath(p),
        size_bytes: await dirSize(tmp),
        public: false,
        expires_at: opts.ttlSeconds ? new Date(now.getTime() + opts.ttlSeconds * 1000).toISOString() : null,
      };
      await writeJsonAtomic(join(tmp, META), record);
      await mkdir(join(final, ".."), { recursive: true });
      if (exists) {
        const old = safeJoin(this.root, "tmp", `${process.pid}-${randomUUID()}-old`);
        await rename(final, old);
        await rename(tmp, final);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(tmp, final);
      }
      return record;
    } catch (err) {
      release();
      // A failed save (disk full, engine error) also clears older leftovers, so the space comes back at once.
      await rm(tmp, { recursive: true, force: true });
      await this.sweepTmp().catch(() => {});
      throw err;
    } finally {
      release();
    }
  }

  async exists(p: TinkerPath): Promise<boolean> {
    return (await this.get(p)) !== undefined;
  }

  /** The checkpoint's record, or undefined when missing or expired (expired ones are removed). */
  async get(p: TinkerPath): Promise<CheckpointRecord | undefined> {
    const dir = this.checkpointDir(p);
    const rec = await readJsonIfExists<CheckpointRecord>(join(dir, META));
    if (!rec) return undefined;
    if (rec.expires_at && Date.parse(rec.expires_at) <= Date.now()) {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    return rec;
  }

  /** The directory to load from; 404 when the checkpoint does not exist. */
  async require(p: TinkerPath): Promise<{ dir: string; record: CheckpointRecord }> {
    const record = await this.get(p);
    if (!record)
      throw new UserError(`checkpoint ${formatTinkerPath(p)} does not exist (or its TTL expired)`, 404);
    return { dir: this.checkpointDir(p), record };
  }

  async list(runId: string): Promise<CheckpointRecord[]> {
    const out: CheckpointRecord[] = [];
    for (const kind of ["weights", "sampler_weights"] as CheckpointKind[]) {
      const names = await readdir(join(this.runDir(runId), kind)).catch(() => [] as string[]);
      for (const name of names) {
        const rec = await this.get({ runId, kind, name }).catch(() => undefined);
        if (rec) out.push(rec);
      }
    }
    return out.sort((a, b) => b.time.localeCompare(a.time));
  }

  async listAll(): Promise<CheckpointRecord[]> {
    const runs = await readdir(join(this.root, "runs")).catch(() => [] as string[]);
    const all: CheckpointRecord[] = [];
    for (const run of runs) all.push(...(await this.list(run).catch(() => [])));
    return all.sort((a, b) => b.time.localeCompare(a.time));
  }

  async delete(p: TinkerPath): Promise<void> {
    await this.require(p);
    await rm(this.checkpointDir(p), { recursive: true, force: true });
  }

  async setPublic(p: TinkerPath, value: boolean): Promise<void> {
    const { dir, record } = await this.require(p);
    if (record.public === value) {
      throw new HttpError(409, `checkpoint ${record.tinker_path} is already ${value ? "public" : "private"}`);
    }
    await writeJsonAtomic(join(dir, META), { ...record, public: value });
  }

  /** `ttlSeconds` null clears the TTL; otherwise it counts from now. */
  async setTtl(p: TinkerPath, ttlSeconds: number | null): Promise<void> {
    if (ttlSeconds !== null && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) {
      throw new UserError("ttl_seconds must be a positive integer or null");
    }
    const { dir, record } = await this.require(p);
    const expires = ttlSeconds === null ? null : new Date(Date.now() + ttlSeconds * 1000).toISOString();
    await writeJsonAtomic(join(dir, META), { ...record, expires_at: expires });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // alive, owned by someone else
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(full) : (await stat(full)).size;
  }
  return total;
}

/**
 * The save a `tmp/` entry belongs to (`<pid>-<uuid>`): the entry itself, or the save directory that an atomic
 * writer's sibling temp (`.<pid>-<uuid>.tmp-…`, from writeDirAtomic) was made for. Sweeping such a sibling as a
 * leftover deleted another live server's checkpoint files mid-write (ENOENT on adapter_config.json in CI).
 */
export function owningSave(entry: string): string {
  const m = /^\.?(\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(entry);
  return m ? m[1]! : entry;
}
