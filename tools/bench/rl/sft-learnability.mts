// By hand: how fast a tiny model learns single-digit sums by SFT (train vs held-out greedy accuracy every EVERY steps).
//   MODEL=crucible/tiny-bytes STEPS=600 LR=1e-3 UNEMBED=1 npx tsx --tsconfig packages/crucible-train/tsconfig.json tools/bench/rl/sft-learnability.mts
import { RandomState } from "@crucible/env";
import { computeMeanNll } from "@crucible/eval";
import { startLocal } from "../../../packages/crucible-train/src/rl/testing/local-arithmetic.ts";
import { conversationToDatum } from "../../../packages/crucible-train/src/supervised/conversation.ts";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const MODEL = process.env.MODEL ?? "crucible/tiny-qwen3";
const STEPS = env("STEPS", 200),
  BS = env("BS", 32),
  LR = env("LR", 4e-3),
  RANK = env("RANK", 32),
  MAXOP = env("MAXOP", 10);
const local = await startLocal("exp-");
const { service } = local;
const { getTokenizerSync, getRenderer } = await import("@crucible/renderers");
const tokenizer = getTokenizerSync(MODEL === "crucible/tiny-bytes" ? MODEL : "Qwen/Qwen3-8B");
const renderer = getRenderer("role_colon", tokenizer);
const held = new Set<string>();
const hr = new RandomState(1234);
while (held.size < 30) held.add(`${hr.randint(0, MAXOP)},${hr.randint(0, MAXOP)}`);
const train: [number, number][] = [];
for (let x = 0; x < MAXOP; x++)
  for (let y = 0; y < MAXOP; y++) if (!held.has(`${x},${y}`)) train.push([x, y]);
const conv = (x: number, y: number) => [
  { role: "user", content: `What is ${x} + ${y}?` },
  { role: "assistant", content: String(x + y) },
];
const tc = await service.createLoraTrainingClient({
  baseModel: MODEL,
  rank: RANK,
  trainUnembed: process.env.UNEMBED === "1",
} as never);
const rng = new RandomState(7);
async function acc(pairs: [number, number][], name: string) {
  const sc = await tc.saveWeightsAndGetSamplingClient();
  let ok = 0;
  await Promise.all(
    pairs.map(async ([x, y]) => {
      const mi = renderer.buildGenerationPrompt([{ role: "user", content: `What is ${x} + ${y}?` }] as never);
      const r = await sc.sample({
        prompt: mi,
        numSamples: 1,
        samplingParams: { maxTokens: 4, temperature: 0, stop: renderer.getStopSequences() } as never,
      });
      const t = tokenizer.decode(r.sequences[0]!.tokens);
      if (parseInt(t.trim(), 10) === x + y) ok++;
    }),
  );
  return `${name} ${(ok / pairs.length).toFixed(2)}`;
}
const t0 = performance.now();
for (let s = 0; s < STEPS; s++) {
  const data = Array.from({ length: BS }, () => {
    const [x, y] = train[rng.randint(0, train.length)]!;
    return conversationToDatum(conv(x, y) as never, renderer, null, "last_assistant_message", "mean");
  });
  const out = await tc.forwardBackward(data, "cross_entropy");
  await tc.optimStep({ learningRate: LR, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  const nll = computeMeanNll(
    out.lossFnOutputs.map((o) => o.logprobs?.data ?? []),
    data.map((d) => d.lossFnInputs.weights?.data ?? []),
  );
  if (s % env("EVERY", 25) === 0 || s === STEPS - 1) {
    const heldPairs = [...held].map((k) => k.split(",").map(Number) as [number, number]);
    console.log(
      `step ${s} nll ${nll.toFixed(3)} ${await acc(train.slice(0, 30), "train")} ${await acc(heldPairs, "held")} t=${((performance.now() - t0) / 1000).toFixed(0)}s`,
    );
  }
}
await local.close();
