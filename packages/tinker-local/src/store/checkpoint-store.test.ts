import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpError, UserError } from "../server/errors.js";
import { CheckpointStore, owningSave } from "./checkpoint-store.js";

describe("CheckpointStore", () => {
  let root: string;
  let store: CheckpointStore;
  const p = { runId: "s:train:0", kind: "weights" as const, name: "c1" };
  const write = (text: string) => async (dir: string) => writeFile(join(dir, "w.bin"), text);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ckpt-store-"));
    store = new CheckpointStore(root);
    await store.init();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("saves atomically with metadata, lists, and refuses to overwrite unless asked", async () => {
    const rec = await store.save(p, { overwrite: false }, write("one"));
    expect(rec).toMatchObject({
      checkpoint_id: "weights/c1",
      checkpoint_type: "training",
      tinker_path: "tinker://s:train:0/weights/c1",
      public: false,
      expires_at: null,
    });
    expect(rec.size_bytes).toBe(3);
    await expect(store.save(p, { overwrite: false }, write("two"))).rejects.toThrow(/already exists/);
    await store.save(p, { overwrite: true }, write("three"));
    const { dir } = await store.require(p);
    expect(await readFile(join(dir, "w.bin"), "utf8")).toBe("three");
    expect((await store.list("s:train:0")).map((c) => c.checkpoint_id)).toEqual(["weights/c1"]);
    expect(await readdir(join(root, "tmp"))).toEqual([]); // no temp leftovers
  });

  it("a failed write leaves nothing behind", async () => {
    await expect(
      store.save(p, { overwrite: false }, async () => {
        throw new Error("engine failed");
      }),
    ).rejects.toThrow("engine failed");
    expect(await store.exists(p)).toBe(false);
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("a failed save also sweeps older leftovers of crashed saves, but never a save still being written", async () => {
    await mkdir(join(root, "tmp", "0b7c-crashed-earlier"), { recursive: true });
    let inFlight = "";
    const slow = store.save({ ...p, name: "slow" }, { overwrite: false }, async (dir) => {
      inFlight = dir;
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(join(dir, "w.bin"), "slow");
    });
    await new Promise((r) => setTimeout(r, 50));
    await expect(
      store.save(p, { overwrite: false }, async (dir) => {
        await writeFile(join(dir, "partial.bin"), "half");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await readdir(join(root, "tmp"))).toEqual([basename(inFlight)]);
    await slow;
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("a sweep keeps the sibling temps an atomic write makes beside a live save, here and in other processes", async () => {
    const { dir, release } = await store.tempDir();
    const name = basename(dir);
    const uuid = "79cab0cb-b8c4-44cb-98ef-ef09209afea6";
    const sibling = `.${name}.tmp-${process.pid}-1796411526771`; // what writeDirAtomic(dir) creates
    const otherLive = `.${process.ppid}-${uuid}.tmp-${process.ppid}-1`; // another live server's write
    const deadLeftover = `.2147483646-${uuid}.tmp-2147483646-1`; // a crashed server's write
    for (const d of [sibling, otherLive, deadLeftover]) await mkdir(join(root, "tmp", d));
    expect(await store.sweepTmp()).toBe(1);
    expect((await readdir(join(root, "tmp"))).sort()).toEqual([name, sibling, otherLive].sort());
    release();
    expect(await store.sweepTmp()).toBe(2);
    expect(await readdir(join(root, "tmp"))).toEqual([otherLive]);
  });

  it("owningSave names the save an entry belongs to", () => {
    const save = "12038-79cab0cb-b8c4-44cb-98ef-ef09209afea6";
    expect(owningSave(save)).toBe(save);
    expect(owningSave(`.${save}.tmp-12038-1796411526771`)).toBe(save);
    expect(owningSave(`${save}-old`)).toBe(save);
    expect(owningSave("0b7c-crashed-earlier")).toBe("0b7c-crashed-earlier");
  });

  it("TTL expiry hides and removes checkpoints; ttl null clears it", async () => {
    await store.save(p, { overwrite: false, ttlSeconds: 3600 }, write("x"));
    await store.setTtl(p, null);
    expect((await store.get(p))?.expires_at).toBeNull();
    await expect(store.setTtl(p, 0)).rejects.toThrow(UserError);
    const q = { ...p, name: "short" };
    await store.save(q, { overwrite: false, ttlSeconds: 1 }, write("x"));
    expect(await store.exists(q)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.exists(q)).toBe(false);
    await expect(store.require(q)).rejects.toThrow(/does not exist/);
  });

  it("publish/unpublish toggles and conflicts; delete removes", async () => {
    await store.save(p, { overwrite: false }, write("x"));
    await store.setPublic(p, true);
    expect((await store.get(p))?.public).toBe(true);
    await expect(store.setPublic(p, true)).rejects.toBeInstanceOf(HttpError);
    await store.delete(p);
    expect(await store.listAll()).toEqual([]);
  });

  it("runs persist and list newest first", async () => {
    const run = (id: string, t: string) => ({
      training_run_id: id,
      session_id: "s",
      base_model: "m",
      lora_rank: 4,
      train_mlp: true,
      train_attn: true,
      train_unembed: false,
      created_at: t,
      last_request_time: t,
    });
    await store.saveRun(run("s:train:0", "2026-01-01T00:00:00Z"));
    await store.saveRun(run("s:train:1", "2026-01-02T00:00:00Z"));
    expect((await new CheckpointStore(root).listRuns()).map((r) => r.training_run_id)).toEqual([
      "s:train:1",
      "s:train:0",
    ]);
    expect(await store.getRun("nope")).toBeUndefined();
  });
});
