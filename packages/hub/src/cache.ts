import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { tempPathFor, writeFileAtomic } from "./atomic.js";
import { COMMIT_HASH, type RepoRef, repoFolderName } from "./repo.js";

/**
 * The standard Hugging Face cache layout, shared with Python tools (huggingface_hub, datasets, transformers):
 * `<cache>/<models|datasets>--org--name/{refs/<revision>, blobs/<etag>, snapshots/<commit>/<path> → blob}`.
 */
export function storageFolder(repo: RepoRef, cacheDir: string): string {
  return join(cacheDir, repoFolderName(repo));
}

/** The commit a revision points at in the cache (a commit hash is its own answer), or undefined. */
export function cachedCommit(repo: RepoRef, revision: string, cacheDir: string): string | undefined {
  if (COMMIT_HASH.test(revision)) return revision;
  const ref = join(storageFolder(repo, cacheDir), "refs", revision);
  if (!existsSync(ref)) return undefined;
  return readFileSync(ref, "utf8").trim() || undefined;
}

export function snapshotDir(repo: RepoRef, commit: string, cacheDir: string): string {
  return join(storageFolder(repo, cacheDir), "snapshots", commit);
}

/** The cached file of `path` at `revision` (huggingface_hub's `try_to_load_from_cache`), or undefined. */
export function cachedFile(
  repo: RepoRef,
  path: string,
  revision: string,
  cacheDir: string,
): string | undefined {
  const commit = cachedCommit(repo, revision, cacheDir);
  if (!commit) return undefined;
  const file = join(snapshotDir(repo, commit, cacheDir), path);
  return existsSync(file) ? file : undefined;
}

/** Relative paths of every file in the cached snapshot of `revision` (offline listing), or undefined. */
export function cachedSnapshotFiles(repo: RepoRef, revision: string, cacheDir: string): string[] | undefined {
  const commit = cachedCommit(repo, revision, cacheDir);
  if (!commit) return undefined;
  const root = snapshotDir(repo, commit, cacheDir);
  if (!existsSync(root)) return undefined;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p).split("\\").join("/"));
    }
  };
  walk(root);
  return out.sort();
}

/** Records `refs/<revision>` → commit (atomic), as huggingface_hub does for branch and tag names. */
export function writeRef(repo: RepoRef, revision: string, commit: string, cacheDir: string): void {
  if (revision === commit) return;
  const ref = join(storageFolder(repo, cacheDir), "refs", revision);
  if (existsSync(ref) && readFileSync(ref, "utf8").trim() === commit) return;
  writeFileAtomic(ref, commit);
}

/** Points a snapshot path at its blob: a relative symlink like huggingface_hub's, or a copy where links fail. */
export function linkSnapshotFile(blob: string, pointer: string): void {
  mkdirSync(dirname(pointer), { recursive: true });
  const tmp = tempPathFor(pointer);
  try {
    symlinkSync(relative(dirname(pointer), blob), tmp);
  } catch {
    copyFileSync(blob, tmp);
  }
  if (existsSync(pointer) || isDanglingLink(pointer)) rmSync(pointer, { force: true });
  renameSync(tmp, pointer);
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
