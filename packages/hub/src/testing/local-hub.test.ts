import { createHash } from "node:crypto";
import { downloadFile, fileDownloadInfo, pathsInfo } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalHub } from "./local-hub.js";

let hub: LocalHub;
let sha: string;
const WEIGHTS = new Uint8Array(5000).map((_, i) => i % 256);

beforeAll(async () => {
  hub = await LocalHub.start();
  sha = hub.commit("model", "org/m", { "config.json": '{"a":1}', "w.safetensors": WEIGHTS });
});
afterAll(() => hub.close());

describe("LocalHub speaks the hub's routes and headers", () => {
  it("resolve: small files inline with a git-blob etag; LFS files as a 302 with X-Linked-* headers", async () => {
    const small = await fetch(`${hub.url}/org/m/resolve/main/config.json`, { method: "HEAD" });
    const gitOid = createHash("sha1").update('blob 7\0{"a":1}').digest("hex");
    expect(small.headers.get("etag")).toBe(`"${gitOid}"`);
    expect(small.headers.get("x-repo-commit")).toBe(sha);
    const lfs = await fetch(`${hub.url}/org/m/resolve/main/w.safetensors`, {
      method: "HEAD",
      redirect: "manual",
    });
    expect(lfs.status).toBe(302);
    expect(lfs.headers.get("x-linked-etag")).toBe(`"${createHash("sha256").update(WEIGHTS).digest("hex")}"`);
    expect(lfs.headers.get("x-linked-size")).toBe("5000");
    const part = await fetch(`${hub.url}/org/m/resolve/main/w.safetensors`, {
      headers: { range: "bytes=10-19" },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 10-19/5000");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(WEIGHTS.subarray(10, 20));
  });

  it("the official JS client (@huggingface/hub) reads files, download info and paths-info from it", async () => {
    const repo = { type: "model" as const, name: "org/m" };
    const blob = await downloadFile({ repo, path: "w.safetensors", hubUrl: hub.url, xet: false });
    expect(new Uint8Array(await (blob as Blob).arrayBuffer())).toEqual(WEIGHTS);
    const info = await fileDownloadInfo({ repo, path: "w.safetensors", hubUrl: hub.url });
    expect(info?.size).toBe(5000);
    const [p] = await pathsInfo({ repo, paths: ["w.safetensors"], hubUrl: hub.url, expand: true });
    expect(p?.lfs?.oid).toBe(createHash("sha256").update(WEIGHTS).digest("hex"));
    expect(p?.lastCommit?.id).toBe(sha);
    expect(await fileDownloadInfo({ repo, path: "missing.json", hubUrl: hub.url })).toBeNull();
  });

  it("answers the hub's error codes", async () => {
    const miss = await fetch(`${hub.url}/org/m/resolve/main/none`, { method: "HEAD" });
    expect([miss.status, miss.headers.get("x-error-code")]).toEqual([404, "EntryNotFound"]);
    const rev = await fetch(`${hub.url}/org/m/resolve/nobranch/config.json`, { method: "HEAD" });
    expect([rev.status, rev.headers.get("x-error-code")]).toEqual([404, "RevisionNotFound"]);
    const repo = await fetch(`${hub.url}/org/none/resolve/main/config.json`, { method: "HEAD" });
    expect([repo.status, repo.headers.get("x-error-code")]).toEqual([401, "RepoNotFound"]);
  });
});
