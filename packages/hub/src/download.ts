import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { cachedFile, linkSnapshotFile, snapshotDir, storageFolder, writeRef } from "./cache.js";
import { HubHttpError, HubIntegrityError, HubNotCachedError, HubNotFoundError } from "./errors.js";
import { ProgressLine } from "./progress.js";
import { COMMIT_HASH, type RepoRef, repoUrlPath } from "./repo.js";
import { type HubSettings, withSettings } from "./settings.js";
import { blobProblem, DEFAULT_VERIFY_LIMIT, type ExpectedBlob } from "./verify.js";

export interface HubRequestOptions {
  /** Branch, tag or 40-hex commit (default `main`). A commit hash is a pinned revision: no ref lookups. */
  revision?: string;
  /** Overrides of the environment (`HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`, `HF_HUB_CACHE`). */
  settings?: Partial<HubSettings>;
  /** Draw a progress bar (default: when stderr is a TTY). */
  progress?: boolean;
  /** Re-hash cached files up to this size on use (default 256 MiB; larger ones get a size check). */
  verifyLimit?: number;
  /** Where warnings go (default stderr). */
  warn?: (message: string) => void;
}

/** What a HEAD on the resolve route says about a file. */
export interface FileMetadata extends ExpectedBlob {
  commit: string;
  /** The URL to GET (the resolve route; redirects to LFS storage are followed). */
  url: string;
  size?: number;
}

export function resolveUrl(s: HubSettings, repo: RepoRef, path: string, revision: string): string {
  const file = path.split("/").map(encodeURIComponent).join("/");
  return `${s.endpoint}/${repoUrlPath(repo)}/resolve/${encodeURIComponent(revision)}/${file}`;
}

export function authHeaders(s: HubSettings): Record<string, string> {
  return s.token ? { authorization: `Bearer ${s.token}` } : {};
}

const normalizeEtag = (e: string | null) => (e ?? "").replace(/^W\//, "").replace(/"/g, "");

/** Is this a failure to reach the hub at all (as opposed to an HTTP answer)? */
export function isNetworkError(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed|network|ECONN|ENOTFOUND|EAI_AGAIN/i.test(String(err));
}

/** HEAD the resolve route without following the LFS redirect, so the hub's `X-Linked-*` headers are read. */
export async function fileMetadata(
  s: HubSettings,
  repo: RepoRef,
  path: string,
  revision: string,
): Promise<FileMetadata> {
  let url = resolveUrl(s, repo, path, revision);
  for (let hops = 0; hops < 5; hops++) {
    const res = await headWithRetry(url, { ...authHeaders(s), "accept-encoding": "identity" });
    const location = res.headers.get("location");
    // A relative redirect is a renamed repo: follow it; an absolute one is LFS storage: metadata is on this answer.
    if (res.status >= 300 && res.status < 400 && location?.startsWith("/")) {
      url = new URL(location, url).toString();
      continue;
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      const code = res.headers.get("x-error-code") ?? (res.status === 404 ? "EntryNotFound" : "RepoNotFound");
      const what =
        code === "EntryNotFound"
          ? `file ${path}`
          : code === "RevisionNotFound"
            ? `revision ${revision}`
            : "repository";
      throw new HubNotFoundError(repo, what, code, url);
    }
    if (!(res.ok || (res.status >= 300 && res.status < 400)))
      throw new HubHttpError(url, res.status, res.statusText);
    const commit = res.headers.get("x-repo-commit");
    const etag = normalizeEtag(res.headers.get("x-linked-etag") ?? res.headers.get("etag"));
    if (!commit || !etag)
      throw new HubHttpError(url, res.status, "answer lacks X-Repo-Commit/ETag (is HF_ENDPOINT a hub?)");
    const sizeHeader = res.headers.get("x-linked-size") ?? res.headers.get("content-length");
    return { commit, etag, url, size: sizeHeader ? Number(sizeHeader) : undefined };
  }
  throw new HubHttpError(url, 310, "too many redirects");
}

/** A HEAD that retries transient network failures (a reset pooled connection) before calling the hub unreachable. */
async function headWithRetry(url: string, headers: Record<string, string>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { method: "HEAD", redirect: "manual", headers });
    } catch (err) {
      if (!isNetworkError(err) || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/**
 * Downloads one file of a repo into the Hugging Face cache and returns its snapshot path
 * (`…/snapshots/<commit>/<path>`), reusing a cached copy when it verifies. Offline (`HF_HUB_OFFLINE=1`) or with the
 * hub unreachable, the cached copy of the revision is used or a `HubNotCachedError` names the fix.
 */
export async function hubDownload(
  repo: RepoRef,
  path: string,
  opts: HubRequestOptions = {},
): Promise<string> {
  const s = withSettings(opts.settings);
  const revision = opts.revision ?? "main";
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  const storage = storageFolder(repo, s.cacheDir);
  if (s.offline) return useCachedOffline(repo, path, revision, s, "HF_HUB_OFFLINE=1 forbids downloads");
  // A pinned commit already in the cache needs no request (as in huggingface_hub).
  if (COMMIT_HASH.test(revision) && cachedFile(repo, path, revision, s.cacheDir))
    return useCachedOffline(repo, path, revision, s, "its cached copy is corrupt");
  let meta: FileMetadata;
  try {
    meta = await fileMetadata(s, repo, path, revision);
  } catch (err) {
    if (!isNetworkError(err)) throw err;
    const why = `the hub at ${s.endpoint} is unreachable (${String((err as Error).cause ?? err)})`;
    return useCachedOffline(repo, path, revision, s, why);
  }
  writeRef(repo, revision, meta.commit, s.cacheDir);
  const pointer = join(snapshotDir(repo, meta.commit, s.cacheDir), path);
  const blob = join(storage, "blobs", meta.etag);
  if (existsSync(blob)) {
    const problem = await blobProblem(blob, meta, opts.verifyLimit ?? DEFAULT_VERIFY_LIMIT);
    if (!problem) {
      if (!pointsAt(pointer, blob)) linkSnapshotFile(blob, pointer);
      return pointer;
    }
    warn(`hub: cached ${repo.name}/${path} is corrupt (${problem}); fetching it again`);
    rmSync(blob, { force: true });
  }
  await fetchBlob(s, meta, blob, `${basename(path)}`, opts.progress);
  linkSnapshotFile(blob, pointer);
  return pointer;
}

function pointsAt(pointer: string, blob: string): boolean {
  try {
    return resolve(dirname(pointer), readlinkSync(pointer)) === resolve(blob);
  } catch {
    return false;
  }
}

async function useCachedOffline(
  repo: RepoRef,
  path: string,
  revision: string,
  s: HubSettings,
  reason: string,
): Promise<string> {
  const file = cachedFile(repo, path, revision, s.cacheDir);
  const lookedIn = storageFolder(repo, s.cacheDir);
  if (!file)
    throw new HubNotCachedError(repo, `file ${path} (revision ${revision})`, lookedIn, reason, revision);
  // Blob names are etags, so a cached copy can be checked even offline (no expected size is known here).
  let target = file;
  try {
    target = resolve(dirname(file), readlinkSync(file));
  } catch {
    // a copied (not linked) snapshot file: nothing to check it against
    return file;
  }
  const problem = await blobProblem(target, { etag: basename(target) });
  if (problem) {
    const what = `a valid copy of ${path} (the cached one is corrupt: ${problem})`;
    throw new HubNotCachedError(repo, what, lookedIn, reason, revision);
  }
  return file;
}

const MAX_ATTEMPTS = 4;

/** GETs a blob into `<blob>.incomplete` (resuming with a Range request), verifies it, then renames it into place. */
async function fetchBlob(
  s: HubSettings,
  meta: FileMetadata,
  blob: string,
  label: string,
  progress?: boolean,
): Promise<void> {
  const incomplete = `${blob}.incomplete`;
  mkdirSync(dirname(blob), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      await fetchInto(s, meta, incomplete, label, progress);
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
      if (err instanceof HubHttpError && err.status < 500) throw err;
    }
  }
  if (lastError) {
    const kept = existsSync(incomplete) ? statSync(incomplete).size : 0;
    throw new HubHttpError(
      meta.url,
      0,
      `download interrupted (${String(lastError)}); ${kept} bytes kept, rerun to resume`,
    );
  }
  const problem = await blobProblem(incomplete, meta, Number.POSITIVE_INFINITY);
  if (problem) {
    rmSync(incomplete, { force: true });
    throw new HubIntegrityError(meta.url, problem);
  }
  renameSync(incomplete, blob);
}

async function fetchInto(
  s: HubSettings,
  meta: FileMetadata,
  incomplete: string,
  label: string,
  progress?: boolean,
): Promise<void> {
  let have = existsSync(incomplete) ? statSync(incomplete).size : 0;
  if (meta.size !== undefined && have > meta.size) have = 0;
  if (meta.size !== undefined && have === meta.size) return;
  const headers = { ...authHeaders(s), ...(have > 0 ? { range: `bytes=${have}-` } : {}) };
  const res = await fetch(meta.url, { headers, redirect: "follow" });
  if (res.status === 206) {
    const start = Number(/^bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1] ?? -1);
    if (start !== have)
      throw new HubHttpError(meta.url, 206, `range answer starts at ${start}, asked ${have}`);
  } else if (res.ok) have = 0;
  else throw new HubHttpError(meta.url, res.status, res.statusText);
  if (!res.body) throw new HubHttpError(meta.url, res.status, "empty body");
  const bar = new ProgressLine(label, meta.size, progress ?? Boolean(process.stderr.isTTY), have);
  const out = createWriteStream(incomplete, { flags: have > 0 ? "a" : "w" });
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Uint8Array;
      if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", r));
      bar.add(buf.byteLength);
    }
  } finally {
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    bar.finish();
  }
}
