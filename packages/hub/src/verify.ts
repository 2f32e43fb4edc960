import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";

/** Cached files up to this size are re-hashed on every use; larger ones get a size check (hashing GBs per run is slow). */
export const DEFAULT_VERIFY_LIMIT = 256 * 1024 * 1024;

/** What the hub says a file's bytes must be: its etag (sha256 for LFS files, git blob sha1 otherwise) and size. */
export interface ExpectedBlob {
  etag: string;
  size?: number;
}

/** The hash an etag names, if it names one: 64 hex = sha256 of the bytes, 40 hex = git blob sha1. */
function hashKind(etag: string): "sha256" | "git-sha1" | undefined {
  if (/^[0-9a-f]{64}$/.test(etag)) return "sha256";
  if (/^[0-9a-f]{40}$/.test(etag)) return "git-sha1";
  return undefined;
}

export async function hashFile(file: string, kind: "sha256" | "git-sha1"): Promise<string> {
  const size = statSync(file).size;
  const h = createHash(kind === "sha256" ? "sha256" : "sha1");
  if (kind === "git-sha1") h.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/**
 * Why `file` does not match `expected` (truncated, too long, checksum), or undefined when it does. The checksum is
 * computed only for files up to `hashLimit` bytes.
 */
export async function blobProblem(
  file: string,
  expected: ExpectedBlob,
  hashLimit = DEFAULT_VERIFY_LIMIT,
): Promise<string | undefined> {
  const size = statSync(file).size;
  if (expected.size !== undefined && size !== expected.size)
    return `size ${size} bytes, expected ${expected.size}${size < expected.size ? " (truncated)" : ""}`;
  const kind = hashKind(expected.etag);
  if (!kind || size > hashLimit) return undefined;
  const got = await hashFile(file, kind);
  return got === expected.etag ? undefined : `${kind} ${got}, expected ${expected.etag}`;
}
