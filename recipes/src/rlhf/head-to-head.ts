// The reward model's verdict on the RL policy against the SFT policy it started from: what RL against a pairwise
// reward model optimises. Its per-step reward cannot show that (win-minus-loss is zero-sum within a group), and the
// win rate against the held-out references depends on how the reward model happens to rate the starting policy's
// answers against text it was never trained on. Here the opponent is the SFT policy itself: a few of its answers to
// each prompt become the reference side of ComparisonEvaluator (judged both ways), and the SFT policy scored the
// same way against its own answers is the control (≈ 0.5 by symmetry, up to sampling noise).

import { tinkerMessageCompleter } from "@crucible/env";
import { getTextContent, type Message, type Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import {
  type Comparison,
  ComparisonEvaluator,
  getLastCheckpoint,
  preferenceModelBuilderFromChatRenderer,
} from "@crucible/train";
import { stageDirs } from "./schema.js";

export interface HeadToHeadOptions {
  service: ServiceClient;
  renderer: Renderer;
  /** The rlhf run's `log_path` (its sft/, rm/ and rl/ checkpoints are read). */
  logPath: string;
  prompts: Message[][];
  /** SFT answers sampled per prompt as opponents. */
  answersPerPrompt: number;
  maxTokens: number;
}

export interface HeadToHead {
  /** The SFT policy against its own answers (the control). */
  sft: number;
  /** The RL run's final policy against the same answers. */
  rl: number;
}

export async function rlVersusSftWinRate(o: HeadToHeadOptions): Promise<HeadToHead> {
  const dirs = stageDirs(o.logPath);
  const path = (dir: string) => {
    const p = getLastCheckpoint(dir, "sampler_path")?.samplerPath;
    if (!p) throw new Error(`rlVersusSftWinRate: no sampler checkpoint in ${dir}`);
    return p;
  };
  const sftSampler = await o.service.createSamplingClient({ modelPath: path(dirs.sft) });
  const sftPolicy = tinkerMessageCompleter({
    samplingClient: sftSampler,
    renderer: o.renderer,
    maxTokens: o.maxTokens,
  });
  const comparisons: Comparison[] = await Promise.all(
    o.prompts.flatMap((prompt) =>
      Array.from({ length: o.answersPerPrompt }, async () => ({
        promptConversation: prompt,
        completionA: [{ role: "assistant" as const, content: getTextContent(await sftPolicy(prompt)) }],
        completionB: [],
      })),
    ),
  );
  const evaluator = new ComparisonEvaluator({
    preferenceModelBuilder: preferenceModelBuilderFromChatRenderer({
      convoRenderer: o.renderer,
      serviceClient: o.service,
      rmWeightsPath: path(dirs.rm),
    }),
    comparisons,
    renderer: o.renderer,
    maxTokens: o.maxTokens,
  });
  const rlSampler = await o.service.createSamplingClient({ modelPath: path(dirs.rl) });
  const [sft, rl] = await Promise.all([evaluator.evaluate(sftSampler), evaluator.evaluate(rlSampler)]);
  return { sft: sft["test/win_rate"]!, rl: rl["test/win_rate"]! };
}
