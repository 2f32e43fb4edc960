import { fetchCommand, type RepoRef } from "./repo.js";

/** Base class of hub errors; `category: "user"` because the fix is on the caller's side (network, token, name). */
export class HubError extends Error {
  readonly category = "user" as const;
  constructor(message: string) {
    super(message);
    this.name = "HubError";
  }
}

/** A file (or a whole repo) is needed but not in the cache and the hub cannot be asked: one line, with the fix. */
export class HubNotCachedError extends HubError {
  constructor(
    readonly repo: RepoRef,
    readonly what: string,
    readonly lookedIn: string,
    readonly reason: string,
    revision?: string,
  ) {
    super(
      `${repo.type} ${repo.name}: ${what} is not in the Hugging Face cache (looked in ${lookedIn}) and ${reason}; ` +
        `fetch it with: ${fetchCommand(repo, revision)}`,
    );
    this.name = "HubNotCachedError";
  }
}

/** The hub answered that the repo, revision or file does not exist (or needs a token). */
export class HubNotFoundError extends HubError {
  constructor(
    readonly repo: RepoRef,
    readonly what: string,
    readonly code: string,
    url: string,
  ) {
    const hint =
      code === "RepoNotFound"
        ? "check the name, or set HF_TOKEN if the repo is private or gated"
        : code === "RevisionNotFound"
          ? "check the revision (branch, tag or commit)"
          : "check the file name";
    super(`${repo.type} ${repo.name}: ${what} not found on the hub (${code} at ${url}); ${hint}`);
    this.name = "HubNotFoundError";
  }
}

/** Downloaded bytes do not match what the hub announced (size or checksum); nothing was kept. */
export class HubIntegrityError extends HubError {
  constructor(file: string, detail: string) {
    super(`download of ${file} failed verification: ${detail}; nothing was written to the cache, retry`);
    this.name = "HubIntegrityError";
  }
}

/** Any other failing HTTP exchange with the hub. */
export class HubHttpError extends HubError {
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`hub request ${url} failed: HTTP ${status} ${detail}`.trim());
    this.name = "HubHttpError";
  }
}
