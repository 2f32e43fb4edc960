import { createHash } from "node:crypto";

export type RepoType = "model" | "dataset";

/** A file served by the local hub: its bytes, and whether the hub would store it in LFS (large/binary files). */
export interface FixtureFile {
  path: string;
  data: Uint8Array;
  lfs: boolean;
  /** git blob id (sha1 of `blob <size>\0<bytes>`) of the file, or of its LFS pointer. */
  oid: string;
  /** sha256 of the bytes (the LFS oid; the hub's etag for LFS files). */
  sha256: string;
}

export interface FixtureCommit {
  sha: string;
  files: Map<string, FixtureFile>;
}

/** One repository: commits by sha and refs (branches/tags) pointing at them. */
export interface FixtureRepo {
  type: RepoType;
  name: string;
  commits: Map<string, FixtureCommit>;
  refs: Map<string, string>;
}

/** File contents for a commit: text, bytes, or `{ data, lfs }` to choose LFS storage explicitly. */
export type FixtureContent = string | Uint8Array | { data: string | Uint8Array; lfs: boolean };

const LFS_SUFFIXES = [".safetensors", ".parquet", ".bin", ".gz", ".zst", ".arrow", ".pt"];

function gitBlobOid(data: Uint8Array): string {
  return createHash("sha1").update(`blob ${data.byteLength}\0`).update(data).digest("hex");
}

function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

export function fixtureFile(path: string, content: FixtureContent): FixtureFile {
  const raw = typeof content === "object" && !(content instanceof Uint8Array) ? content.data : content;
  const data = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const lfs =
    typeof content === "object" && !(content instanceof Uint8Array)
      ? content.lfs
      : LFS_SUFFIXES.some((s) => path.endsWith(s));
  const sha256 = createHash("sha256").update(data).digest("hex");
  const oid = lfs
    ? gitBlobOid(new TextEncoder().encode(lfsPointer(sha256, data.byteLength)))
    : gitBlobOid(data);
  return { path, data, lfs, oid, sha256 };
}

/** A deterministic 40-hex commit id from the repo name, parent and tree (stands in for git's). */
export function commitSha(name: string, parent: string | undefined, files: Map<string, FixtureFile>): string {
  const h = createHash("sha1").update(`${name}\0${parent ?? ""}`);
  for (const [p, f] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${p}\0${f.oid}\0`);
  return h.digest("hex");
}

/** The files of a commit as the tree API lists them (files plus implied directories). */
export function treeEntries(commit: FixtureCommit, under: string, recursive: boolean) {
  const prefix = under ? `${under.replace(/\/$/, "")}/` : "";
  const out: Record<string, unknown>[] = [];
  const dirs = new Set<string>();
  for (const f of [...commit.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length).split("/");
    for (let i = 1; i < rest.length; i++) {
      if (!recursive && i > 1) break;
      const dir = prefix + rest.slice(0, i).join("/");
      if (!dirs.has(dir)) {
        dirs.add(dir);
        out.push({
          type: "directory",
          oid: createHash("sha1").update(dir).digest("hex"),
          size: 0,
          path: dir,
        });
      }
    }
    if (!recursive && rest.length > 1) continue;
    out.push(pathInfo(f, commit.sha));
  }
  return out;
}

export function pathInfo(f: FixtureFile, commitId: string): Record<string, unknown> {
  return {
    type: "file",
    oid: f.oid,
    size: f.data.byteLength,
    path: f.path,
    ...(f.lfs
      ? {
          lfs: {
            oid: f.sha256,
            size: f.data.byteLength,
            pointerSize: lfsPointer(f.sha256, f.data.byteLength).length,
          },
        }
      : {}),
    lastCommit: { id: commitId, title: "fixture commit", date: "2026-01-01T00:00:00.000Z" },
  };
}
