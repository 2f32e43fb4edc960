// The hosted path with the cookbook's defaults, against a hub-compatible server on loopback (HF_ENDPOINT): every
// recipe's `--dry-run` resolves its datasets, tokenizer and renderer without downloading anything; a short local run
// trains on data fetched from that hub into the standard cache.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { LocalHub } from "@crucible/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyTokenizerJson } from "../../../packages/renderers/test/tiny-tokenizer.js";
import { crucible, readJsonl } from "../testing/e2e.js";

const CONVERSATIONS = join(import.meta.dirname, "../../data/conversations.jsonl");
let hub: LocalHub;
let root: string;
const saved = { ...process.env };

beforeAll(async () => {
  hub = await LocalHub.start();
  const lines = readFileSync(CONVERSATIONS, "utf8").trim().split("\n");
  hub.commit("dataset", "HuggingFaceH4/no_robots", {
    "data/train-00000-of-00001.jsonl": `${lines.slice(0, 40).join("\n")}\n`,
    "data/test-00000-of-00001.jsonl": `${lines.slice(40, 48).join("\n")}\n`,
  });
  const hh = (i: number) =>
    JSON.stringify({
      chosen: `\n\nHuman: q${i}\n\nAssistant: yes`,
      rejected: `\n\nHuman: q${i}\n\nAssistant: no`,
    });
  hub.commit("dataset", "Anthropic/hh-rlhf", {
    "harmless-base/train.jsonl.gz": gzipSync([0, 1, 2].map(hh).join("\n")),
    "harmless-base/test.jsonl.gz": gzipSync(hh(3)),
  });
  const gsm = (i: number) =>
    JSON.stringify({ question: `What is ${i} + ${i}?`, answer: `${i} + ${i}\n#### ${2 * i}` });
  hub.commit("dataset", "openai/gsm8k", {
    "main/train-00000-of-00001.jsonl": `${[1, 2, 3, 4].map(gsm).join("\n")}\n`,
    "main/test-00000-of-00001.jsonl": `${gsm(5)}\n`,
  });
  hub.commit("dataset", "zwhe99/DeepMath-103K", {
    "data/train-00000-of-00001.jsonl": '{"question":"1+1?","final_answer":"2"}\n',
  });
  hub.commit("dataset", "open-thoughts/OpenThoughts3-1.2M", {
    "data/train-00000-of-00001.jsonl": `${JSON.stringify({
      conversations: [
        { from: "human", value: "hi" },
        { from: "gpt", value: "hello" },
      ],
    })}\n`,
  });
  for (const m of ["Qwen/Qwen3.5-9B-Base", "Qwen/Qwen3.5-9B", "Qwen/Qwen3.6-35B-A3B", "Qwen/Qwen3.5-4B"])
    hub.commit("model", m, { "tokenizer.json": JSON.stringify(tinyTokenizerJson()), "config.json": "{}" });
  root = mkdtempSync(join(tmpdir(), "hosted-"));
  Object.assign(process.env, {
    HF_ENDPOINT: hub.url,
    HF_HUB_CACHE: join(root, "cache"),
    HF_HUB_OFFLINE: "",
    TINKER_API_KEY: "tml-test-key",
  });
});
afterAll(async () => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
  await hub.close();
});

const EXPECT: Record<string, { dataset?: string; tokenizer: string; renderer: string }> = {
  sl_basic: { dataset: "HuggingFaceH4/no_robots", tokenizer: "Qwen/Qwen3.5-9B-Base", renderer: "role_colon" },
  chat_sl: { dataset: "HuggingFaceH4/no_robots", tokenizer: "Qwen/Qwen3.5-9B-Base", renderer: "role_colon" },
  dpo: { dataset: "Anthropic/hh-rlhf", tokenizer: "Qwen/Qwen3.5-9B-Base", renderer: "role_colon" },
  math_rl: { tokenizer: "Qwen/Qwen3.5-9B", renderer: "qwen3_5" },
  distillation: {
    dataset: "zwhe99/DeepMath-103K",
    tokenizer: "Qwen/Qwen3.5-9B-Base",
    renderer: "role_colon",
  },
  guess_number: { tokenizer: "Qwen/Qwen3.5-4B", renderer: "qwen3_5_disable_thinking" },
  twenty_questions: { tokenizer: "Qwen/Qwen3.5-9B", renderer: "qwen3_5_disable_thinking" },
};

describe("hosted defaults against a loopback hub", () => {
  for (const [recipe, want] of Object.entries(EXPECT)) {
    it(`${recipe} --dry-run resolves its dataset, tokenizer and renderer, downloading nothing`, async () => {
      const from = hub.requests.length;
      const r = await crucible(["run", recipe, "--dry-run"]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const cfg = JSON.parse(r.out.join("\n")) as Record<string, unknown>;
      expect([cfg.backend, cfg.renderer_name]).toEqual(["remote", want.renderer]);
      const urls = hub.requests.slice(from).map((q) => `${q.method} ${q.url}`);
      if (want.dataset)
        expect(urls).toContain(`GET /api/datasets/${want.dataset}/tree/main?recursive=true&expand=false`);
      expect(urls).toContain(`HEAD /${want.tokenizer}/resolve/main/tokenizer.json`);
      expect(urls.filter((u) => u.startsWith("GET") && !u.includes("/api/"))).toEqual([]); // no file bodies
      expect(existsSync(join(root, "cache"))).toBe(false); // resolve writes nothing
    });
  }

  it("off-policy distillation's default openthoughts3 resolves on the hub with its streaming fields", async () => {
    const r = await crucible(["run", "distillation", "--dry-run", "mode=off_policy", "max_prompts=64"]);
    expect(r.err).toEqual([]);
    const cfg = JSON.parse(r.out.join("\n")) as Record<string, unknown>;
    expect([cfg.dataset, cfg.renderer_name, cfg.buffer_size, cfg.max_prompts]).toEqual([
      "openthoughts3",
      "qwen3_5",
      384000,
      64,
    ]);
    expect(hub.requests.map((q) => q.url)).toContain(
      "/api/datasets/open-thoughts/OpenThoughts3-1.2M/tree/main?recursive=true&expand=false",
    );
  });

  it("prompt_distillation --dry-run resolves the cookbook's model, sampling and training defaults", async () => {
    const from = hub.requests.length;
    const r = await crucible(["run", "prompt_distillation", "--dry-run"]);
    expect(r.err).toEqual([]);
    const cfg = JSON.parse(r.out.join("\n")) as Record<string, unknown>;
    const keys = [
      "model_name",
      "teacher_model",
      "renderer_name",
      "answer_regex",
      "max_prompts",
      "max_tokens",
    ];
    expect(keys.map((k) => cfg[k])).toEqual([
      "Qwen/Qwen3.6-35B-A3B",
      "Qwen/Qwen3.6-35B-A3B",
      "qwen3_5",
      "Final Answer: (\\w+)",
      null,
      1000,
    ]);
    const train = [
      "temperature",
      "learning_rate",
      "num_epochs",
      "lora_rank",
      "batch_size",
      "eval_every",
      "save_every",
    ];
    expect(train.map((k) => cfg[k])).toEqual([0.15, 1e-4, 4, 32, 128, 5, 20]);
    expect(cfg["prompts_file"]).toMatch(/data\/multilingual\.txt$/);
    expect(cfg["file_path"]).toBe(`${cfg["log_path"]}/prompt_distillation_data.jsonl`);
    const urls = hub.requests.slice(from).map((q) => `${q.method} ${q.url}`);
    expect(urls).toContain("HEAD /Qwen/Qwen3.6-35B-A3B/resolve/main/tokenizer.json");
    expect(existsSync(join(root, "cache"))).toBe(false);
  });

  it("a dataset the hub lacks, and offline without a cache: one line with the fetch command", async () => {
    const missing = await crucible(["run", "chat_sl", "--dry-run", "dataset=tulu3"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([
      expect.stringMatching(
        /^crucible: error: dataset=tulu3: dataset allenai\/tulu-3-sft-mixture: repository not found on the hub/,
      ),
    ]);
    process.env.HF_HUB_OFFLINE = "1";
    try {
      const off = await crucible(["run", "dpo", "--dry-run"]);
      expect(off.code).toBe(2);
      expect(off.err).toEqual([
        `crucible: error: dataset=hhh: dataset Anthropic/hh-rlhf is not in the Hugging Face cache (looked in ${join(root, "cache", "datasets--Anthropic--hh-rlhf")}) and HF_HUB_OFFLINE=1; fetch it with: crucible download dataset hhh`,
      ]);
    } finally {
      process.env.HF_HUB_OFFLINE = "";
    }
  });

  it.each(["chat_sl", "sl_basic"])(
    "%s on the embedded backend trains on no_robots fetched from the hub",
    {
      timeout: 300_000,
    },
    async (recipe) => {
      const log = join(root, `${recipe}-run`);
      const r = await crucible([
        "run",
        recipe,
        "backend=local",
        "dataset=no_robots",
        `log_path=${log}`,
        "max_steps=2",
        "eval_every=0",
        "save_every=0",
        "--if-exists=delete",
      ]);
      expect(r.err).toEqual([]);
      expect(readJsonl(join(log, "metrics.jsonl")).map((m) => m.step)).toEqual([0, 1]);
      const snaps = join(root, "cache", "datasets--HuggingFaceH4--no_robots", "snapshots");
      const [commit] = readdirSync(snaps);
      expect(readdirSync(join(snaps, commit as string, "data")).sort()).toEqual([
        "test-00000-of-00001.jsonl",
        "train-00000-of-00001.jsonl",
      ]);
    },
  );

  it("dpo on the embedded backend trains on hh-rlhf comparisons fetched from the hub", {
    timeout: 300_000,
  }, async () => {
    const log = join(root, "dpo-run");
    const r = await crucible([
      "run",
      "dpo",
      "backend=local",
      "dataset=hhh",
      "batch_size=2",
      `log_path=${log}`,
      "max_steps=1",
      "save_every=0",
      "--if-exists=delete",
    ]);
    expect(r.err).toEqual([]);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m.step)).toEqual([0]);
    // A fresh LoRA scores chosen and rejected alike: the DPO loss starts at ln 2.
    expect(rows[0]!["dpo_loss"] as number).toBeCloseTo(Math.log(2), 3);
    const snaps = join(root, "cache", "datasets--Anthropic--hh-rlhf", "snapshots");
    const [commit] = readdirSync(snaps);
    expect(readdirSync(join(snaps, commit as string, "harmless-base")).sort()).toContain("train.jsonl.gz");
  });

  it("math_rl on the embedded backend runs an RL step on gsm8k fetched from the hub", {
    timeout: 300_000,
  }, async () => {
    const log = join(root, "math-rl-run");
    const r = await crucible([
      "run",
      "math_rl",
      "backend=local",
      "env=gsm8k",
      "groups_per_batch=2",
      "group_size=2",
      "max_tokens=8",
      `log_path=${log}`,
      "max_steps=1",
      "save_every=0",
      "eval_every=0",
      "--if-exists=delete",
    ]);
    expect(r.err).toEqual([]);
    expect(readJsonl(join(log, "metrics.jsonl")).map((m) => m.step)).toEqual([0]);
    const snaps = join(root, "cache", "datasets--openai--gsm8k", "snapshots");
    const [commit] = readdirSync(snaps);
    expect(readdirSync(join(snaps, commit as string, "main"))).toContain("train-00000-of-00001.jsonl");
  });
});
