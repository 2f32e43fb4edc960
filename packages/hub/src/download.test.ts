import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hubDownload } from "./download.js";
import { HubNotCachedError, HubNotFoundError } from "./errors.js";
import { listRepoFiles } from "./listing.js";
import { datasetRepo, modelRepo } from "./repo.js";
import type { HubSettings } from "./settings.js";
import { LocalHub } from "./testing/local-hub.js";

let hub: LocalHub;
let cacheDir: string;
const dirs: string[] = [];
const BIG = new Uint8Array(200_000).map((_, i) => (i * 31 + 7) % 251);
const model = modelRepo("acme/tiny");
let v1: string;
let v2: string;

beforeAll(async () => {
  hub = await LocalHub.start({ token: "hf_secret" });
  v1 = hub.commit(
    "model",
    "acme/tiny",
    { "config.json": '{"v":1}', "model.safetensors": BIG },
    { tags: ["v1"] },
  );
  v2 = hub.commit("model", "acme/tiny", { "config.json": '{"v":2}' });
  hub.commit("model", "acme/private", { "config.json": "{}" }, { private: true });
  hub.commit("dataset", "acme/rows", { "data/train-00000-of-00001.jsonl": '{"a":1}\n' });
});
afterAll(() => hub.close());
afterEach(() => {
  hub.clearCuts();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshCache(): Partial<HubSettings> {
  cacheDir = mkdtempSync(join(os.tmpdir(), "hub-cache-"));
  dirs.push(cacheDir);
  return { endpoint: hub.url, cacheDir, offline: false, token: undefined };
}
const quiet = { progress: false, warn: () => {} };
const gets = (part: string) => hub.requests.filter((r) => r.method === "GET" && r.url.includes(part));

describe("hubDownload against a local hub", () => {
  it("writes the huggingface_hub cache layout (refs, blobs by etag, relative snapshot links) and reuses it", async () => {
    const settings = freshCache();
    const cfg = await hubDownload(model, "config.json", { settings, ...quiet });
    const st = await hubDownload(model, "model.safetensors", { settings, ...quiet });
    const root = join(cacheDir, "models--acme--tiny");
    expect(readFileSync(join(root, "refs", "main"), "utf8")).toBe(v2);
    expect(cfg).toBe(join(root, "snapshots", v2, "config.json"));
    expect(readFileSync(cfg, "utf8")).toBe('{"v":2}');
    expect(readlinkSync(st)).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(new Uint8Array(readFileSync(st))).toEqual(BIG);
    const before = gets("lfs-cdn").length;
    const again = await hubDownload(model, "model.safetensors", { settings, ...quiet });
    expect(again).toBe(st);
    expect(gets("lfs-cdn").length).toBe(before); // served from the cache: a HEAD, no body
  });

  it("pinned revisions: a tag and a commit hash; a cached commit needs no request at all", async () => {
    const settings = freshCache();
    const tagged = await hubDownload(model, "config.json", { settings, revision: "v1", ...quiet });
    expect(readFileSync(tagged, "utf8")).toBe('{"v":1}');
    expect(readFileSync(join(cacheDir, "models--acme--tiny", "refs", "v1"), "utf8")).toBe(v1);
    const n = hub.requests.length;
    expect(await hubDownload(model, "config.json", { settings, revision: v1, ...quiet })).toBe(tagged);
    expect(hub.requests.length).toBe(n);
  });

  it("resumes an interrupted download with a Range request and fetches each byte once", async () => {
    const settings = freshCache();
    hub.cutNext("lfs-cdn", 70_000);
    const from = hub.requests.length;
    const st = await hubDownload(model, "model.safetensors", { settings, ...quiet });
    expect(new Uint8Array(readFileSync(st))).toEqual(BIG);
    const cdn = hub.requests.slice(from).filter((r) => r.url.includes("lfs-cdn"));
    // The client resumes from the bytes that reached it (at most the 70000 sent before the cut).
    expect(cdn).toHaveLength(2);
    expect(cdn[0]?.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1]?.range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(70_000);
    expect(cdn[1]?.bytes).toBe(BIG.length - resumedAt);
  });

  it("a partly written file left by an earlier run is resumed by the next run", async () => {
    const settings = freshCache();
    // Every attempt of the first run is cut after 20000 bytes: 4 attempts keep at most 80000 of 200000.
    hub.cutNext("lfs-cdn", 20_000, Number.POSITIVE_INFINITY);
    const err = await hubDownload(model, "model.safetensors", { settings, ...quiet }).catch(
      (e: unknown) => e,
    );
    hub.clearCuts();
    const kept = Number(/(\d+) bytes kept, rerun to resume/.exec(String(err))?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(BIG.length);
    const from = hub.requests.length;
    const st = await hubDownload(model, "model.safetensors", { settings, ...quiet });
    expect(new Uint8Array(readFileSync(st))).toEqual(BIG);
    const cdn = hub.requests.slice(from).filter((r) => r.url.includes("lfs-cdn"));
    expect(cdn.map((r) => [r.range, r.bytes])).toEqual([[`bytes=${kept}-`, BIG.length - kept]]);
  });

  it("detects a corrupt or truncated cached file and fetches it again", async () => {
    const settings = freshCache();
    const st = await hubDownload(model, "model.safetensors", { settings, ...quiet });
    const blob = join(cacheDir, "models--acme--tiny", "snapshots", v2, readlinkSync(st));
    const warnings: string[] = [];
    writeFileSync(blob, Buffer.alloc(BIG.length, 1)); // same size, wrong bytes
    await hubDownload(model, "model.safetensors", {
      settings,
      progress: false,
      warn: (m) => warnings.push(m),
    });
    expect(new Uint8Array(readFileSync(st))).toEqual(BIG);
    writeFileSync(blob, BIG.subarray(0, 1000)); // truncated
    await hubDownload(model, "model.safetensors", {
      settings,
      progress: false,
      warn: (m) => warnings.push(m),
    });
    expect(statSync(st).size).toBe(BIG.length);
    expect(warnings[0]).toMatch(/corrupt \(sha256 [0-9a-f]+, expected/);
    expect(warnings[1]).toMatch(/size 1000 bytes, expected 200000 \(truncated\)/);
  });

  it("offline: the cache answers; a missing file is one line naming what, where and the fetch command", async () => {
    const settings = freshCache();
    await hubDownload(model, "config.json", { settings, ...quiet });
    const n = hub.requests.length;
    const offline = { ...settings, offline: true };
    expect(readFileSync(await hubDownload(model, "config.json", { settings: offline }), "utf8")).toBe(
      '{"v":2}',
    );
    const err = await hubDownload(model, "model.safetensors", { settings: offline }).catch((e: unknown) => e);
    expect(hub.requests.length).toBe(n);
    expect(err).toBeInstanceOf(HubNotCachedError);
    const msg = (err as Error).message;
    expect(msg.split("\n")).toHaveLength(1);
    expect(msg).toContain(
      "model acme/tiny: file model.safetensors (revision main) is not in the Hugging Face cache",
    );
    expect(msg).toContain(`looked in ${join(cacheDir, "models--acme--tiny")}`);
    expect(msg).toContain("HF_HUB_OFFLINE=1");
    expect(msg).toContain("fetch it with: crucible download model acme/tiny");
    // An unreachable hub behaves like offline mode.
    const down = { ...settings, endpoint: "http://127.0.0.1:9" };
    expect(readFileSync(await hubDownload(model, "config.json", { settings: down }), "utf8")).toBe('{"v":2}');
    await expect(hubDownload(model, "model.safetensors", { settings: down })).rejects.toThrow(
      /is unreachable/,
    );
  });

  it("missing files and repos are named; a private repo needs HF_TOKEN", async () => {
    const settings = freshCache();
    const err = await hubDownload(model, "nope.json", { settings }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubNotFoundError);
    expect((err as Error).message).toMatch(
      /^model acme\/tiny: file nope.json not found on the hub \(EntryNotFound/,
    );
    await expect(hubDownload(modelRepo("acme/private"), "config.json", { settings })).rejects.toThrow(
      /repository not found .*set HF_TOKEN/,
    );
    const ok = await hubDownload(modelRepo("acme/private"), "config.json", {
      settings: { ...settings, token: "hf_secret" },
    });
    expect(existsSync(ok)).toBe(true);
  });

  it("lists a dataset through the tree API, and from the cache when offline", async () => {
    const settings = freshCache();
    const repo = datasetRepo("acme/rows");
    expect(await listRepoFiles(repo, { settings })).toEqual([
      { path: "data/train-00000-of-00001.jsonl", size: 8 },
    ]);
    await expect(listRepoFiles(repo, { settings: { ...settings, offline: true } })).rejects.toThrow(
      /fetch it with: crucible download dataset acme\/rows/,
    );
    await hubDownload(repo, "data/train-00000-of-00001.jsonl", { settings, ...quiet });
    const files = await listRepoFiles(repo, { settings: { ...settings, offline: true } });
    expect(files.map((f) => f.path)).toEqual(["data/train-00000-of-00001.jsonl"]);
  });
});
