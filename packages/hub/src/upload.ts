import { openAsBlob } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { HubError } from "./errors.js";
import { type HubSettings, withSettings } from "./settings.js";

export interface UploadFolderOptions {
  /** `namespace/name` of a model repository (created when missing). */
  repo: string;
  dir: string;
  /** Endpoint and token; default `HF_ENDPOINT` / `HF_TOKEN` (or the `huggingface-cli login` token file). */
  settings?: Partial<HubSettings>;
  private?: boolean;
  commitMessage?: string;
  /** Files (relative paths) to leave out. */
  exclude?: (path: string) => boolean;
  /** Files to add from memory (e.g. a generated README.md), replacing same-named files of `dir`. */
  extraFiles?: { path: string; content: string | Uint8Array }[];
}

export interface UploadFolderResult {
  repo: string;
  commit: string;
  url: string;
  files: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join("/"));
  }
  return out.sort();
}

/**
 * Uploads a directory to a Hugging Face model repository in one commit through `@huggingface/hub` (large files go
 * to LFS storage, read lazily from disk). Creates the repository first when it does not exist.
 */
export async function uploadFolder(options: UploadFolderOptions): Promise<UploadFolderResult> {
  const s = withSettings(options.settings);
  if (s.offline) throw new HubError(`cannot upload to ${options.repo}: HF_HUB_OFFLINE is set`);
  if (!s.token) {
    throw new HubError(
      `uploading to ${options.repo} needs a token: set HF_TOKEN (a write token) or run \`huggingface-cli login\``,
    );
  }
  const common = {
    repo: { type: "model" as const, name: options.repo },
    accessToken: s.token,
    hubUrl: s.endpoint,
  };
  try {
    await createRepo({ ...common, ...(options.private !== undefined ? { private: options.private } : {}) });
  } catch (err) {
    // 409: it exists already, which is fine (a new commit goes on top).
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
  const extra = options.extraFiles ?? [];
  const paths = (await listFiles(options.dir)).filter(
    (p) => !options.exclude?.(p) && !extra.some((e) => e.path === p),
  );
  const files = [
    ...(await Promise.all(
      paths.map(async (path) => ({ path, content: await openAsBlob(join(options.dir, ...path.split("/"))) })),
    )),
    ...extra.map((e) => ({ path: e.path, content: new Blob([e.content]) })),
  ];
  const out = await uploadFiles({
    ...common,
    files,
    commitTitle: options.commitMessage ?? `Upload ${paths.length} files with crucible`,
  });
  return {
    repo: options.repo,
    commit: out?.commit.oid ?? "",
    url: `${s.endpoint}/${options.repo}`,
    files: [...paths, ...extra.map((e) => e.path)].sort(),
  };
}
