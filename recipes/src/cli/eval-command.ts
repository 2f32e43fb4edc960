// `crucible eval <benchmark>… key=value…`: runs benchmark tasks (arithmetic, gsm8k, math500, mmlu, gpqa_diamond,
// arc_challenge, hellaswag, ifeval, humaneval, mbpp) against a base model or a checkpoint with @crucible/eval's
// Inspect-style runner, writing Inspect eval logs (+ HTML transcripts) under out_dir; reruns resume.
import { z } from "zod";
import { BackendChoice } from "../common/fields.js";
import { modelSlug, runDate } from "../common/pyformat.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRenderer,
  tokenizerNameFor,
} from "../common/resolve.js";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";
import { recipeHelp } from "./help.js";
import { didYouMean, parseOverrides, validateConfig } from "./overrides.js";

export const BENCHMARKS = [
  "arithmetic",
  "gsm8k",
  "math500",
  "mmlu",
  "gpqa_diamond",
  "arc_challenge",
  "hellaswag",
  "ifeval",
  "humaneval",
  "mbpp",
] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const fileField = (b: string) =>
  z.string().nullable().default(null).describe(`Local ${b} file (.jsonl/.parquet); None = the HF cache`);

export const evalSchema = z
  .object({
    backend: BackendChoice.default("auto").describe(
      "local (embedded), remote, or auto (remote iff TINKER_API_KEY/TINKER_BASE_URL)",
    ),
    base_url: z.string().nullable().default(null).describe("Tinker server URL for backend=remote"),
    model_name: z
      .string()
      .nullable()
      .default(null)
      .describe("Base model; None = crucible/tiny-qwen3 locally"),
    checkpoint: z
      .string()
      .nullable()
      .default(null)
      .describe("tinker:// sampler weights to evaluate instead of the base model"),
    renderer_name: z
      .string()
      .nullable()
      .default(null)
      .describe("Renderer; None = the model's recommended one"),
    out_dir: z
      .string()
      .nullable()
      .default(null)
      .describe("Log directory; None = /tmp/tinker-examples/eval/<model>-<date>"),
    max_tokens: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe("Max sampled tokens per answer; None = the benchmark's own"),
    temperature: z.number().nonnegative().default(0).describe("Sampling temperature (0 = greedy)"),
    epochs: z.number().int().positive().default(1).describe("Runs per sample (scores averaged per sample)"),
    limit: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe("Samples per benchmark (None = all; arithmetic: 30)"),
    concurrency: z.number().int().positive().default(8).describe("Samples in flight at once"),
    seed: z.number().int().nonnegative().default(0).describe("Seed of the GPQA answer shuffle"),
    ...Object.fromEntries(
      BENCHMARKS.filter((b) => b !== "arithmetic").map((b) => [`${b}_file`, fileField(b)]),
    ),
  })
  .strict();

type EvalConfig = z.output<typeof evalSchema> & Record<`${Benchmark}_file`, string | null>;

function evalHelp(): string {
  return recipeHelp({
    name: "<benchmark...>",
    summary: "",
    description: `Benchmarks: ${BENCHMARKS.join(", ")}. Logs are Inspect eval logs; a rerun with the same model and settings reuses finished samples.`,
    schema: evalSchema,
    resolve: async (c) => c,
    run: async () => {
      throw new Error("unreachable");
    },
  }).replace("crucible run <benchmark...>", "crucible eval <benchmark...>");
}

export function parseBenchmarkNames(names: readonly string[]): Benchmark[] {
  if (names.length === 0)
    throw new ConfigError(
      `usage: crucible eval <benchmark>... [key=value ...]; benchmarks: ${BENCHMARKS.join(", ")}`,
    );
  for (const n of names) {
    if (!(BENCHMARKS as readonly string[]).includes(n)) {
      const m = didYouMean(n, BENCHMARKS);
      throw new ConfigError(
        `unknown benchmark '${n}'${m ? ` (did you mean '${m}'?)` : ""}; benchmarks: ${BENCHMARKS.join(", ")}`,
      );
    }
  }
  return names as Benchmark[];
}

export async function evalCommand(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(evalHelp());
    return 0;
  }
  const names = parseBenchmarkNames(argv.filter((a) => !a.includes("=")));
  const cfg = validateConfig(
    evalSchema,
    parseOverrides(
      evalSchema,
      argv.filter((a) => a.includes("=")),
    ),
  ) as EvalConfig;
  const backend = resolveBackend(cfg.backend);
  if (backend === "remote") checkRemote(cfg.base_url);
  const model = resolveModel(cfg.model_name, backend, "Qwen/Qwen3.5-9B");
  const defaultRenderer = await resolveRenderer(cfg.renderer_name, model);
  for (const n of names) {
    const f = n === "arithmetic" ? null : cfg[`${n}_file`];
    if (f) checkFileExists(f, `${n}_file`);
  }
  const ev = await import("@crucible/eval");
  // Load every task before opening the backend, so missing data is a config error.
  const tasks = [];
  for (const n of names) {
    try {
      const f = n === "arithmetic" ? null : cfg[`${n}_file`];
      const task = await ev.loadBenchmarkTask(n, {
        ...(cfg.limit !== null ? { limit: cfg.limit } : {}),
        ...(f ? { dataFile: f } : {}),
        seed: cfg.seed,
      });
      tasks.push({
        ...task,
        config: {
          ...task.config,
          epochs: cfg.epochs,
          temperature: cfg.temperature,
          ...(cfg.max_tokens !== null ? { maxTokens: cfg.max_tokens } : {}),
        },
      });
    } catch (e) {
      if (e instanceof ev.BenchmarkDataError) throw new ConfigError(e.message, n);
      throw e;
    }
  }
  const outDir = cfg.out_dir ?? `/tmp/tinker-examples/eval/${modelSlug(model)}-${runDate()}`;
  const { openBackend } = await import("../common/backend.js");
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  const session = await openBackend(backend, cfg.base_url, [model]);
  try {
    // A checkpoint is evaluated in the chat format it was trained with, unless renderer_name is given.
    const { runRenderer } = await import("../common/checkpoint-renderer.js");
    const rendererName = await runRenderer(
      session.service,
      {
        renderer_name: defaultRenderer,
        renderer_name_given: cfg.renderer_name !== null,
        load_checkpoint_path: cfg.checkpoint,
        log_path: null,
      },
      { print: io.out, warn: (l) => io.err(`crucible: warning: ${l}`) },
      { checkpointField: "checkpoint" },
    );
    const renderer = getRenderer(rendererName, await getTokenizer(tokenizerNameFor(model)));
    const samplingClient = await session.service.createSamplingClient(
      cfg.checkpoint ? { modelPath: cfg.checkpoint } : { baseModel: model },
    );
    const modelName = cfg.checkpoint ?? model;
    for (const task of tasks) {
      const r = await ev.evaluate(task, {
        samplingClient,
        renderer,
        modelName,
        logDir: outDir,
        concurrency: cfg.concurrency,
        taskArgs: { renderer: rendererName, backend },
      });
      const m = r.metrics;
      const { recordEvalResult } = await import("../common/registry-hook.js");
      await recordEvalResult(outDir, { model: modelName, task: task.name, metrics: m, logFile: r.logFile });
      const main = Object.keys(m).find((k) => !k.includes("/")) ?? "accuracy";
      io.out(
        `${task.name}: ${main} ${(m[main] ?? Number.NaN).toFixed(4)} ± ${(m["stderr"] ?? Number.NaN).toFixed(4)} over ${r.log.results?.total_samples ?? 0} samples` +
          ` (${r.newlyEvaluated} newly evaluated) → ${r.logFile}`,
      );
    }
  } finally {
    await session.close();
  }
  return 0;
}
