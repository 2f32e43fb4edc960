import { listFiles } from "@huggingface/hub";
import { cachedCommit, cachedSnapshotFiles, storageFolder } from "./cache.js";
import { type HubRequestOptions, isNetworkError } from "./download.js";
import { HubNotCachedError, HubNotFoundError } from "./errors.js";
import type { RepoRef } from "./repo.js";
import { withSettings } from "./settings.js";

/** A file in a repo listing. */
export interface RepoFile {
  path: string;
  size: number;
}

/**
 * Every file of a repo at a revision: the hub's tree API (through `@huggingface/hub`), or, offline or unreachable,
 * the cached snapshot of that revision (which may hold only the files fetched before).
 */
export async function listRepoFiles(repo: RepoRef, opts: HubRequestOptions = {}): Promise<RepoFile[]> {
  const s = withSettings(opts.settings);
  const revision = opts.revision ?? "main";
  const cached = () => {
    const files = cachedSnapshotFiles(repo, revision, s.cacheDir);
    return files?.map((path) => ({ path, size: -1 }));
  };
  const notCached = (reason: string) =>
    new HubNotCachedError(repo, `revision ${revision}`, storageFolder(repo, s.cacheDir), reason, revision);
  if (s.offline) {
    const files = cached();
    if (files) return files;
    throw notCached("HF_HUB_OFFLINE=1 forbids listing the hub");
  }
  try {
    const out: RepoFile[] = [];
    for await (const f of listFiles({
      repo: { type: repo.type, name: repo.name },
      revision,
      recursive: true,
      hubUrl: s.endpoint,
      ...(s.token ? { accessToken: s.token } : {}),
    })) {
      if (f.type === "file") out.push({ path: f.path, size: f.size });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  } catch (err) {
    if (isNetworkError(err)) {
      const files = cached();
      if (files) return files;
      throw notCached(`the hub at ${s.endpoint} is unreachable`);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 401 || status === 404) {
      const code = status === 401 ? "RepoNotFound" : "RevisionNotFound";
      throw new HubNotFoundError(
        repo,
        status === 401 ? "repository" : `revision ${revision}`,
        code,
        s.endpoint,
      );
    }
    throw err;
  }
}

/** Whether the cache holds a snapshot of `revision` (for dry runs and status lines). */
export function isCached(repo: RepoRef, revision: string, cacheDir: string): boolean {
  return cachedCommit(repo, revision, cacheDir) !== undefined;
}
