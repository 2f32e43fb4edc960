// `crucible download <dataset|model|tokenizer> <name>…`: pre-fetch into the standard Hugging Face cache (shared
// with Python tools), so training can run later with HF_HUB_OFFLINE=1.
import { parseArgs } from "node:util";
import {
  DATA_FILE,
  datasetRepo,
  HubError,
  hubDownload,
  hubSettings,
  listRepoFiles,
  modelRepo,
  type RepoRef,
  storageFolder,
} from "@crucible/hub";
import { DATASET_REPOS } from "../common/hub-inputs.js";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";

const HELP = `Usage: crucible download <dataset|model|tokenizer> <name>... [--revision REV] [--include PREFIX]...

Downloads into the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub), laid
out as huggingface_hub lays it out, so Python tools and later offline runs (HF_HUB_OFFLINE=1) reuse it.
Interrupted downloads resume; every file is verified (size, sha256 / git blob id).

Kinds:
  dataset NAME    every data file (Parquet, JSONL[.gz|.zst]) and README of a dataset repo; NAME is org/name or a
                  recipe's short name (${"no_robots, tulu3, hhh, helpsteer3, ultrafeedback, gsm8k, math, math500, deepmath, polaris, openthoughts3"})
  model NAME      every file of a model repo (config.json, weights, tokenizer)
  tokenizer NAME  a model's tokenizer files and config.json (the tokenizer repo the recipes use for it)

Options:
  --revision REV    branch, tag or commit (default main)
  --include PREFIX  only files whose path starts with PREFIX (repeatable), e.g. --include main/ for gsm8k

Environment: HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE.`;

const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "generation_config.json", "config.json"];

function checkName(kind: string, name: string): string {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(name))
    throw new ConfigError(`download ${kind} ${name}: expected a repo id like org/name`);
  return name;
}

export async function downloadCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      revision: { type: "string" },
      include: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [kind, ...names] = positionals;
  if (!kind || !["dataset", "model", "tokenizer"].includes(kind) || names.length === 0)
    throw new ConfigError("usage: crucible download <dataset|model|tokenizer> <name>... (see --help)");
  const revision = values.revision;
  const include = values.include ?? [];
  const opts = revision ? { revision } : {};
  const cacheDir = hubSettings().cacheDir;
  try {
    for (const raw of names) {
      if (kind === "tokenizer") {
        const { tokenizerRepoFor } = await import("@crucible/renderers");
        const repo = modelRepo(checkName(kind, tokenizerRepoFor(raw)));
        const got = await fetchFiles(repo, (p) => TOKENIZER_FILES.includes(p), opts, io, true);
        if (!got.includes("tokenizer.json"))
          throw new ConfigError(`download tokenizer ${raw}: ${repo.name} has no tokenizer.json`);
        io.out(`${raw}: ${got.length} files in ${storageFolder(repo, cacheDir)}`);
        continue;
      }
      const repo: RepoRef =
        kind === "dataset"
          ? datasetRepo(checkName(kind, DATASET_REPOS[raw] ?? raw))
          : modelRepo(checkName(kind, raw));
      const wanted = (p: string) =>
        (include.length === 0 || include.some((i) => p.startsWith(i))) &&
        (kind === "model" || DATA_FILE.test(p) || p === "README.md");
      const got = await fetchFiles(repo, wanted, opts, io, false);
      if (got.length === 0)
        throw new ConfigError(`download ${kind} ${raw}: no files matched in ${repo.name}`);
      io.out(`${raw}: ${got.length} files in ${storageFolder(repo, cacheDir)}`);
    }
  } catch (e) {
    if (e instanceof HubError) throw new ConfigError(e.message);
    throw e;
  }
  return 0;
}

async function fetchFiles(
  repo: RepoRef,
  wanted: (path: string) => boolean,
  opts: { revision?: string },
  io: CliIO,
  exactNames: boolean,
): Promise<string[]> {
  const files = exactNames
    ? TOKENIZER_FILES
    : (await listRepoFiles(repo, opts)).map((f) => f.path).filter((p) => wanted(p));
  const got: string[] = [];
  for (const path of files) {
    try {
      await hubDownload(repo, path, opts);
      got.push(path);
    } catch (e) {
      // Tokenizer repos need not hold every optional file.
      if (exactNames && e instanceof HubError && e.name === "HubNotFoundError" && path !== "tokenizer.json")
        continue;
      throw e;
    }
    io.err(`fetched ${repo.name}/${path}`);
  }
  return got;
}
