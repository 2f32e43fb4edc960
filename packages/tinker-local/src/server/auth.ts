import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

/** Who made a request: the fingerprint of its API key (never the key itself), or none when ownership is off. */
export type Principal = string | undefined;

export type AuthResult = { ok: true; principal: Principal } | { ok: false };

function digest(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/**
 * API-key check in constant time: the presented key is hashed and compared with every configured key's hash
 * by `timingSafeEqual` (equal lengths, no early exit), so response timing says nothing about a key's prefix.
 * With several keys and not `shared`, each key is its own principal: runs, sessions and checkpoints belong to
 * the key that created them and other keys get 404 (as on the hosted service).
 */
export class ApiKeyAuth {
  private readonly digests: Buffer[];
  private readonly ownership: boolean;

  constructor(keys: readonly string[], options: { shared?: boolean } = {}) {
    this.digests = [...new Set(keys)].map(digest);
    this.ownership = this.digests.length > 1 && !options.shared;
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  check(presented: string | undefined): AuthResult {
    if (!this.enabled) return { ok: true, principal: undefined };
    if (typeof presented !== "string") return { ok: false };
    const d = digest(presented);
    let match = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(d, this.digests[i] as Buffer) && match < 0) match = i;
    }
    if (match < 0) return { ok: false };
    return { ok: true, principal: this.ownership ? `key:${d.toString("hex").slice(0, 16)}` : undefined };
  }
}

export class ApiKeySourceError extends Error {
  override readonly name = "ApiKeySourceError";
}

/**
 * Keys from the command line, a file (one per line, `#` comments) and an environment variable (comma-separated):
 * the file and env forms keep keys out of `ps`.
 */
export function collectApiKeys(sources: {
  keys?: readonly string[];
  file?: string;
  env?: string | undefined;
}): string[] {
  const out = [...(sources.keys ?? [])];
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, "utf8");
    } catch (err) {
      throw new ApiKeySourceError(
        `--api-key-file ${sources.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
    const fromFile = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    if (fromFile.length === 0) throw new ApiKeySourceError(`--api-key-file ${sources.file}: holds no keys`);
    out.push(...fromFile);
  }
  if (sources.env) {
    out.push(
      ...sources.env
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    );
  }
  return [...new Set(out)];
}

/** Routes that need no API key: the health check, and signed archive URLs (the signature is the credential). */
export function isKeylessPath(path: string): boolean {
  return path.startsWith("/api/v1/healthz") || path.startsWith("/api/v1/checkpoint_archive?");
}
