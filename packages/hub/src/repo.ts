export type RepoType = "model" | "dataset";

/** A hub repository: `{ type: "dataset", name: "HuggingFaceH4/no_robots" }`. */
export interface RepoRef {
  type: RepoType;
  name: string;
}

export const modelRepo = (name: string): RepoRef => ({ type: "model", name });
export const datasetRepo = (name: string): RepoRef => ({ type: "dataset", name });

/** The cache folder of a repo, as huggingface_hub names it: `models--org--name`, `datasets--org--name`. */
export function repoFolderName(repo: RepoRef): string {
  return [`${repo.type}s`, ...repo.name.split("/")].join("--");
}

/** `org/name` for models, `datasets/org/name` for datasets (URL prefix of resolve routes). */
export function repoUrlPath(repo: RepoRef): string {
  return repo.type === "dataset" ? `datasets/${repo.name}` : repo.name;
}

/** A 40-hex git commit id (a pinned revision that needs no ref lookup). */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** The command that pre-fetches a repo into the cache (named in every "not cached" error). */
export function fetchCommand(repo: RepoRef, revision?: string): string {
  const rev = revision && revision !== "main" ? ` --revision ${revision}` : "";
  return `crucible download ${repo.type} ${repo.name}${rev}`;
}
