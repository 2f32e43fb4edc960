// `crucible download` against a hub-compatible server on loopback: fills the standard cache, then offline reads.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  cachedFile,
  datasetRepo,
  type LocalHubSession,
  modelRepo,
  startLocalHubSession,
} from "@crucible/hub";
import { getTokenizer } from "@crucible/renderers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyTokenizerJson } from "../../../packages/renderers/test/tiny-tokenizer.js";
import { runCli } from "./app.js";
import { commands } from "./commands.js";

let session: LocalHubSession;
let cache: string;

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

beforeAll(async () => {
  session = await startLocalHubSession({ setHubCache: true });
  const { hub } = session;
  hub.commit("dataset", "openai/gsm8k", {
    "main/train-00000-of-00001.parquet": new Uint8Array([1, 2, 3]),
    "main/test-00000-of-00001.parquet": new Uint8Array([4, 5]),
    "socratic/train-00000-of-00001.parquet": new Uint8Array([6]),
    "README.md": "# gsm8k",
    ".gitattributes": "*.parquet filter=lfs",
  });
  hub.commit("model", "Qwen/Qwen3.5-9B", {
    "tokenizer.json": JSON.stringify(tinyTokenizerJson()),
    "tokenizer_config.json": JSON.stringify({ eos_token: "<x>" }),
    "config.json": '{"model_type":"qwen3_5"}',
    "model.safetensors": new Uint8Array(64),
  });
  cache = session.cacheDir;
});
afterAll(() => session.close());

describe("crucible download", () => {
  it("dataset by short name with --include: only those data files, in the standard cache layout", async () => {
    const r = await cli(["download", "dataset", "gsm8k", "--include", "main/"]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`gsm8k: 2 files in ${join(cache, "datasets--openai--gsm8k")}`]);
    const repo = datasetRepo("openai/gsm8k");
    expect(cachedFile(repo, "main/test-00000-of-00001.parquet", "main", cache)).toBeDefined();
    expect(cachedFile(repo, "socratic/train-00000-of-00001.parquet", "main", cache)).toBeUndefined();
  });

  it("tokenizer of a Qwen3.5 model, then usable offline", async () => {
    const r = await cli(["download", "tokenizer", "Qwen/Qwen3.5-9B"]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(`Qwen/Qwen3.5-9B: 3 files in ${join(cache, "models--Qwen--Qwen3.5-9B")}`);
    expect(cachedFile(modelRepo("Qwen/Qwen3.5-9B"), "model.safetensors", "main", cache)).toBeUndefined();
    await session.offline(async () => {
      const n = session.hub.requests.length;
      expect((await getTokenizer("Qwen/Qwen3.5-9B")).eosTokenId).toBe(101);
      expect(session.hub.requests.length).toBe(n);
    });
  });

  it("a whole model; a missing repo is one error line with exit code 2", async () => {
    expect((await cli(["download", "model", "Qwen/Qwen3.5-9B"])).code).toBe(0);
    expect(existsSync(join(cache, "models--Qwen--Qwen3.5-9B", "refs", "main"))).toBe(true);
    expect(cachedFile(modelRepo("Qwen/Qwen3.5-9B"), "model.safetensors", "main", cache)).toBeDefined();
    const bad = await cli(["download", "model", "nobody/nothing"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(
      /^crucible: error: model nobody\/nothing: repository not found on the hub .*set HF_TOKEN/,
    );
    expect((await cli(["download", "weights", "x"])).code).toBe(2);
  });
});
