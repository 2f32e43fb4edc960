import { getLogger } from "@crucible/log";
import { appendCheckpointRecord, type CheckpointRecord, type LoopStateValue } from "./record.js";

const log = getLogger("crucible.train.checkpoint");

export type CheckpointKind = "state" | "sampler" | "both";

/** What saving needs from a training client (the Tinker SDK methods, returning `tinker://` paths). */
export interface CheckpointClient {
  saveState(name: string, ttlSeconds?: number | null): Promise<string>;
  saveWeightsForSampler(name: string, ttlSeconds?: number | null): Promise<string>;
  /** Deletes a checkpoint by path (RestClient.delete_checkpoint_from_tinker_path); optional. */
  deleteCheckpoint?(path: string): Promise<void>;
}

export type LoopState = Record<string, LoopStateValue>;

/** `save_checkpoint`: issue the saves, await them, append `{name, ...loopState, state_path?, sampler_path?}`. */
export async function saveCheckpoint(
  client: CheckpointClient,
  name: string,
  logPath: string,
  loopState: LoopState,
  kind: CheckpointKind = "both",
  ttlSeconds: number | null = null,
): Promise<CheckpointRecord> {
  const [statePath, samplerPath] = await Promise.all([
    kind === "sampler" ? undefined : client.saveState(name, ttlSeconds),
    kind === "state" ? undefined : client.saveWeightsForSampler(name, ttlSeconds),
  ]);
  const { batch, epoch, final, ...extra } = loopState;
  const rec: CheckpointRecord = { name, extra };
  if (typeof batch === "number") rec.batch = batch;
  if (typeof epoch === "number") rec.epoch = epoch;
  if (typeof final === "boolean") rec.final = final;
  if (statePath !== undefined) rec.statePath = statePath;
  if (samplerPath !== undefined) rec.samplerPath = samplerPath;
  appendCheckpointRecord(logPath, rec);
  return rec;
}

export interface CheckpointManagerOptions {
  client: CheckpointClient;
  logPath: string;
  saveEvery?: number;
  saveEveryTokens?: number;
  saveEverySeconds?: number;
  ttlSeconds?: number | null;
  rollingSaveEvery?: number;
  rollingTtlSeconds?: number;
  asyncPeriodicSaves?: boolean;
  /** Injected clock (ms) for tests of the seconds cadence. */
  now?: () => number;
}

/** `CheckpointManager` (spec §A20): periodic, token/seconds cadences, rolling saves and the final save. */
export class CheckpointManager {
  readonly saveEvery: number;
  readonly saveEveryTokens: number;
  readonly saveEverySeconds: number;
  readonly ttlSeconds: number | null;
  readonly rollingSaveEvery: number;
  readonly rollingTtlSeconds: number;
  readonly asyncPeriodicSaves: boolean;
  private readonly client: CheckpointClient;
  private readonly logPath: string;
  private readonly now: () => number;
  private lastSavedTokens = 0;
  private lastSaveTime: number;
  private lastRollingPath: string | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly evalSaves = new Map<number, Promise<string>>();

  constructor(o: CheckpointManagerOptions) {
    this.client = o.client;
    this.logPath = o.logPath;
    this.saveEvery = o.saveEvery ?? 0;
    this.saveEveryTokens = o.saveEveryTokens ?? 0;
    this.saveEverySeconds = o.saveEverySeconds ?? 0;
    this.ttlSeconds = o.ttlSeconds === undefined ? 604800 : o.ttlSeconds;
    this.rollingSaveEvery = o.rollingSaveEvery ?? 0;
    this.rollingTtlSeconds = o.rollingTtlSeconds ?? 7200;
    this.asyncPeriodicSaves = o.asyncPeriodicSaves ?? false;
    this.now = o.now ?? Date.now;
    this.lastSaveTime = this.now();
  }

  /** On resume: token cadence counts from the resumed position. */
  restoreLastSavedTokens(elapsedTokens: number): void {
    this.lastSavedTokens = elapsedTokens;
  }

  shouldSavePeriodic(step: number, elapsedTokens = 0): boolean {
    if (step <= 0) return false;
    if (this.saveEvery > 0 && step % this.saveEvery === 0) return true;
    if (this.saveEveryTokens > 0 && elapsedTokens - this.lastSavedTokens >= this.saveEveryTokens) return true;
    if (this.saveEverySeconds > 0 && (this.now() - this.lastSaveTime) / 1000 >= this.saveEverySeconds)
      return true;
    return false;
  }

  shouldSaveRolling(step: number, elapsedTokens = 0): boolean {
    return (
      step > 0 &&
      this.rollingSaveEvery > 0 &&
      step % this.rollingSaveEvery === 0 &&
      !this.shouldSavePeriodic(step, elapsedTokens)
    );
  }

  /**
   * Saves when a cadence fires. Periodic saves (`kind both`, name `%06d`) are awaited unless `asyncPeriodicSaves`;
   * rolling saves run in the background and replace the previous rolling checkpoint. Returns the record if a
   * periodic save completed synchronously.
   */
  async maybeSave(
    step: number,
    loopState: LoopState,
    elapsedTokens = 0,
  ): Promise<CheckpointRecord | undefined> {
    if (this.shouldSavePeriodic(step, elapsedTokens)) {
      this.lastSavedTokens = elapsedTokens;
      this.lastSaveTime = this.now();
      const p = saveCheckpoint(
        this.client,
        String(step).padStart(6, "0"),
        this.logPath,
        loopState,
        "both",
        this.ttlSeconds,
      );
      if (this.asyncPeriodicSaves) {
        this.track(p);
        return undefined;
      }
      return await p;
    }
    if (this.shouldSaveRolling(step, elapsedTokens)) {
      const name = `rolling_${String(step).padStart(6, "0")}`;
      const prev = this.lastRollingPath;
      this.track(
        saveCheckpoint(
          this.client,
          name,
          this.logPath,
          { ...loopState, rolling: true },
          "state",
          this.rollingTtlSeconds,
        ).then(async (rec) => {
          this.lastRollingPath = rec.statePath;
          if (prev && this.client.deleteCheckpoint) await this.client.deleteCheckpoint(prev);
        }),
      );
    }
    return undefined;
  }

  /**
   * Saves the weights an inline eval of `step` runs on as sampler weights `eval_%06d` (the run's TTL), recorded in
   * checkpoints.jsonl with the step (no state_path, so resuming skips it); once per step. Returns their path.
   */
  saveForEval(step: number, loopState: LoopState = {}): Promise<string> {
    let p = this.evalSaves.get(step);
    if (!p) {
      p = saveCheckpoint(
        this.client,
        `eval_${String(step).padStart(6, "0")}`,
        this.logPath,
        { ...loopState, step, eval: true },
        "sampler",
        this.ttlSeconds,
      ).then((rec) => rec.samplerPath as string);
      this.evalSaves.set(step, p);
    }
    return p;
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) => log.warn(`background checkpoint failed: ${String(err)}`));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  /** Waits for background saves/deletes. */
  async finalize(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** `save_final`: name `final`, kind both, no TTL; then removes the last rolling checkpoint. */
  async saveFinal(loopState: LoopState): Promise<CheckpointRecord> {
    await this.finalize();
    const rec = await saveCheckpoint(this.client, "final", this.logPath, loopState, "both", null);
    if (this.lastRollingPath && this.client.deleteCheckpoint) {
      await this.client.deleteCheckpoint(this.lastRollingPath).catch((err: unknown) => log.warn(String(err)));
      this.lastRollingPath = undefined;
    }
    return rec;
  }
}
