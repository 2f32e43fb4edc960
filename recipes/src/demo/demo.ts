// `crucible demo` / `pnpm demo`: the whole post-training loop on the embedded backend with a built-in tiny
// model. SFT (chat_sl) teaches the answer format of "What is x + y?", RL (math_rl) on the arithmetic env
// improves it, and a held-out benchmark (greedy, and sampled at T=1) measures accuracy before SFT, after SFT
// and after RL. Every number printed is read from the runs' own result files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { chatSl } from "../chat_sl/config.js";
import { resolveRecipeConfig } from "../cli/run-recipe.js";
import { modelSlug, runDate } from "../common/pyformat.js";
import { tokenizerNameFor } from "../common/resolve.js";
import { mathRl } from "../math_rl/config.js";
import type { RecipeContext } from "../recipe.js";
import { smallArithmeticBuilder, splitTrainingPairs, writeSftData } from "./arithmetic-data.js";

export const demoSchema = z
  .object({
    model_name: z.string().default("crucible/tiny-bytes").describe("Built-in tiny model to train"),
    log_path: z
      .string()
      .nullable()
      .default(null)
      .describe("Demo directory; None = /tmp/tinker-examples/demo/<date>"),
    sft_steps: z.number().int().positive().default(400).describe("SFT steps"),
    sft_batch_size: z.number().int().positive().default(32).describe("SFT conversations per step"),
    sft_learning_rate: z.number().positive().default(1e-3).describe("SFT learning rate"),
    rl_steps: z.number().int().positive().default(80).describe("RL steps"),
    rl_groups_per_batch: z.number().int().positive().default(32).describe("RL problems per step"),
    rl_group_size: z.number().int().positive().default(4).describe("RL samples per problem"),
    rl_learning_rate: z.number().positive().default(2e-4).describe("RL learning rate"),
    lora_rank: z.number().int().positive().default(32).describe("LoRA rank"),
    max_operand: z
      .number()
      .int()
      .min(2)
      .max(101)
      .default(20)
      .describe("Operands x, y are drawn from [0, max_operand)"),
    sft_pair_fraction: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.5)
      .describe(
        "Share of the non-held-out x + y pairs used for SFT; RL trains on the rest (1 = both use all)",
      ),
    eval_problems: z.number().int().positive().default(30).describe("Held-out x + y pairs, never trained on"),
    eval_samples: z
      .number()
      .int()
      .positive()
      .default(16)
      .describe("Samples per held-out problem for the sampled (T=1) accuracy, besides the greedy one"),
    max_tokens: z.number().int().positive().default(10).describe("Max answer tokens when sampling"),
  })
  .strict();
export type DemoConfig = z.output<typeof demoSchema>;

export interface StageAccuracy {
  stage: string;
  weights: string;
  /** Greedy (T=0) accuracy on the held-out problems. */
  accuracy: number;
  format: number;
  /** Mean correctness of `eval_samples` samples per held-out problem at T=1 (the policy RL trains). */
  sampled_accuracy: number;
  sampled_format: number;
  problems: number;
}

export interface DemoSummary {
  model: string;
  log_path: string;
  sft_log_path: string;
  rl_log_path: string;
  stages: StageAccuracy[];
  /** Mean `env/all/correct` of the RL run's first and last 10 steps (its own training problems, sampled). */
  rl_train_correct: { first: number; last: number };
  wall_seconds: number;
  stage_seconds: Record<string, number>;
}

const pct = (x: number) => (100 * x).toFixed(1);

function rlTrainCorrect(logPath: string): { first: number; last: number } {
  const rows = readFileSync(join(logPath, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);
  const mean = (xs: Record<string, number>[]) =>
    xs.reduce((a, r) => a + (r["env/all/correct"] ?? 0), 0) / Math.max(1, xs.length);
  const k = Math.min(10, Math.ceil(rows.length / 2));
  return { first: mean(rows.slice(0, k)), last: mean(rows.slice(-k)) };
}

function lastCheckpoint(logPath: string): { state_path: string; sampler_path: string } {
  const lines = readFileSync(join(logPath, "checkpoints.jsonl"), "utf8").trim().split("\n");
  const rec = JSON.parse(lines[lines.length - 1]!) as { state_path?: string; sampler_path?: string };
  if (!rec.state_path || !rec.sampler_path)
    throw new Error(`${logPath}: last checkpoint lacks state/sampler paths`);
  return { state_path: rec.state_path, sampler_path: rec.sampler_path };
}

export async function runDemo(c: DemoConfig, ctx: RecipeContext): Promise<DemoSummary> {
  const t0 = Date.now();
  const stageSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s = Date.now();
    try {
      return await f();
    } finally {
      stageSeconds[name] = (Date.now() - s) / 1000;
    }
  };
  const dir = c.log_path ?? `/tmp/tinker-examples/demo/${modelSlug(c.model_name)}-${runDate()}`;
  mkdirSync(dir, { recursive: true });
  const ev = await import("@crucible/eval");
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  const { openBackend } = await import("../common/backend.js");
  const tokenizer = await getTokenizer(tokenizerNameFor(c.model_name));
  const renderer = getRenderer("role_colon", tokenizer);
  // Held-out problems: never in the SFT data nor in any arithmetic RL batch (see arithmeticProblems).
  const problems = ev.arithmeticHeldOutProblems({
    count: c.eval_problems,
    maxOperand: c.max_operand,
    seed: 1234,
  });
  const heldOut = ev.problemPairs(problems);
  const split = splitTrainingPairs(c.max_operand, heldOut, c.sft_pair_fraction);
  const union = (a: Set<string>, b: Set<string>) => new Set([...a, ...b]);
  const stages: StageAccuracy[] = [];
  const evaluate = async (stage: string, weights: { modelPath?: string; baseModel?: string }) => {
    const session = await openBackend("local");
    try {
      const sc = await session.service.createSamplingClient(weights);
      const bench = (name: string, temperature: number, numSamples: number) =>
        ev.runBenchmark({
          name,
          problems,
          samplingClient: sc,
          renderer,
          rendererName: "role_colon",
          modelId: weights.modelPath ?? weights.baseModel!,
          outDir: join(dir, "eval", stage),
          maxTokens: c.max_tokens,
          temperature,
          numSamples,
          decode: (x) => tokenizer.decode(x),
        });
      const r = await bench("arithmetic", 0, 1);
      const rs = await bench("arithmetic_sampled", 1, c.eval_samples);
      const row = {
        stage,
        weights: r.model,
        accuracy: r.accuracy,
        format: r.format_rate,
        sampled_accuracy: rs.accuracy,
        sampled_format: rs.format_rate,
        problems: r.num_problems,
      };
      stages.push(row);
      ctx.print(
        `[demo] ${stage}: held-out accuracy greedy ${pct(r.accuracy)}% (format ${pct(r.format_rate)}%), sampled ${pct(rs.accuracy)}% on ${r.num_problems} problems`,
      );
    } finally {
      await session.close();
    }
  };

  ctx.print(`[demo] model ${c.model_name} on the embedded local backend; logs in ${dir}`);
  await timed("eval_base", () => evaluate("before (base model)", { baseModel: c.model_name }));

  const sftData = join(dir, "sft_data.jsonl");
  // One epoch of exactly sft_steps batches, plus chat_sl's 64 test conversations.
  writeSftData(
    sftData,
    c.sft_steps * c.sft_batch_size + 64,
    c.max_operand,
    c.sft_pair_fraction >= 1 ? heldOut : union(heldOut, split.rl),
  );
  const sftLog = join(dir, "sft");
  ctx.print(`[demo] SFT: ${c.sft_steps} steps × ${c.sft_batch_size} conversations (chat_sl)`);
  await timed("sft", async () => {
    const cfg = await resolveRecipeConfig(
      chatSl,
      [
        "backend=local",
        `model_name=${c.model_name}`,
        "renderer_name=role_colon",
        `dataset=${sftData}`,
        "test_size=64",
        `batch_size=${c.sft_batch_size}`,
        `learning_rate=${c.sft_learning_rate}`,
        "lr_schedule=constant",
        "train_on_what=last_assistant_message",
        `lora_rank=${c.lora_rank}`,
        `max_steps=${c.sft_steps}`,
        "eval_every=20",
        "save_every=0",
        `log_path=${sftLog}`,
      ],
      "delete",
    );
    const { checkLogDir } = await import("../cli/log-dir.js");
    await checkLogDir(sftLog, "delete");
    await chatSl.run(cfg as never, ctx);
  });
  const sft = lastCheckpoint(sftLog);
  await timed("eval_sft", () => evaluate("after SFT", { modelPath: sft.sampler_path }));

  const rlLog = join(dir, "rl");
  ctx.print(
    `[demo] RL: ${c.rl_steps} steps × ${c.rl_groups_per_batch} problems × ${c.rl_group_size} samples (math_rl, arithmetic env)`,
  );
  await timed("rl", async () => {
    const cfg = await resolveRecipeConfig(
      mathRl,
      [
        "backend=local",
        `model_name=${c.model_name}`,
        "renderer_name=role_colon",
        "env=arithmetic",
        "include_fewshot=false",
        `load_checkpoint_path=${sft.state_path}`,
        `groups_per_batch=${c.rl_groups_per_batch}`,
        `group_size=${c.rl_group_size}`,
        `learning_rate=${c.rl_learning_rate}`,
        `max_tokens=${c.max_tokens}`,
        `lora_rank=${c.lora_rank}`,
        `max_steps=${c.rl_steps}`,
        "eval_every=0",
        "save_every=0",
        `log_path=${rlLog}`,
      ],
      "delete",
    );
    const { checkLogDir } = await import("../cli/log-dir.js");
    await checkLogDir(rlLog, "delete");
    const { runMathRl } = await import("../math_rl/run.js");
    await runMathRl(cfg as never, ctx, {
      datasetBuilder: (r) =>
        smallArithmeticBuilder(
          r,
          c.rl_groups_per_batch,
          c.rl_group_size,
          c.max_operand,
          c.sft_pair_fraction >= 1 ? heldOut : union(heldOut, split.sft),
        ),
    });
  });
  const rl = lastCheckpoint(rlLog);
  await timed("eval_rl", () => evaluate("after RL", { modelPath: rl.sampler_path }));

  const summary: DemoSummary = {
    model: c.model_name,
    log_path: dir,
    sft_log_path: sftLog,
    rl_log_path: rlLog,
    stages,
    rl_train_correct: rlTrainCorrect(rlLog),
    wall_seconds: (Date.now() - t0) / 1000,
    stage_seconds: stageSeconds,
  };
  writeFileSync(join(dir, "demo_summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const w = Math.max(...stages.map((s) => s.stage.length));
  ctx.print("");
  ctx.print(
    `Demo summary (${c.eval_problems} held-out "What is x + y?" problems, 0 ≤ x, y < ${c.max_operand}; greedy, and ${c.eval_samples} samples each at T=1):`,
  );
  for (const s of stages) {
    ctx.print(
      `  ${s.stage.padEnd(w)}  greedy ${pct(s.accuracy).padStart(5)}%   sampled ${pct(s.sampled_accuracy).padStart(5)}%   format ${pct(s.format).padStart(5)}%`,
    );
  }
  const tc = summary.rl_train_correct;
  ctx.print(
    `  RL training problems (sampled, T=1): correct ${pct(tc.first)}% in the first steps → ${pct(tc.last)}% in the last`,
  );
  ctx.print(
    `  wall time ${summary.wall_seconds.toFixed(0)} s (${Object.entries(stageSeconds)
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(", ")})`,
  );
  ctx.print(`Open the training curves: pnpm crucible dashboard ${sftLog} ${rlLog}`);
  return summary;
}
