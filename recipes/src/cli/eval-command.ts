// `crucible eval <benchmark>… key=value…`: run benchmarks (arithmetic, gsm8k, math500) against a base model
// or a checkpoint, writing <out_dir>/<benchmark>/{result.json,trajectories.jsonl}; reruns resume.
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

export const BENCHMARKS = ["arithmetic", "gsm8k", "math500"] as const;

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
      .describe("Output directory; None = /tmp/tinker-examples/eval/<model>-<date>"),
    max_tokens: z.number().int().positive().default(16).describe("Max sampled tokens per answer"),
    temperature: z.number().nonnegative().default(0).describe("Sampling temperature (0 = greedy)"),
    num_samples: z.number().int().positive().default(1).describe("Samples per problem"),
    limit: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe("Problems per benchmark (None = all; arithmetic: 100)"),
    concurrency: z.number().int().positive().default(8).describe("Problems sampled concurrently"),
    gsm8k_file: z
      .string()
      .nullable()
      .default(null)
      .describe("Local GSM8K test file (.jsonl/.parquet); None = the HF cache"),
    math500_file: z
      .string()
      .nullable()
      .default(null)
      .describe("Local MATH-500 file (.jsonl/.parquet); None = the HF cache"),
  })
  .strict();

function evalHelp(): string {
  return recipeHelp({
    name: "<benchmark...>",
    summary: "",
    description: `Benchmarks: ${BENCHMARKS.join(", ")}. Results are resumable: a rerun with the same model and settings reuses finished problems.`,
    schema: evalSchema,
    resolve: async (c) => c,
    run: async () => {
      throw new Error("unreachable");
    },
  }).replace("crucible run <benchmark...>", "crucible eval <benchmark...>");
}

export async function evalCommand(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(evalHelp());
    return 0;
  }
  const names = argv.filter((a) => !a.includes("="));
  const tokens = argv.filter((a) => a.includes("="));
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
  const cfg = validateConfig(evalSchema, parseOverrides(evalSchema, tokens));
  const backend = resolveBackend(cfg.backend);
  if (backend === "remote") checkRemote(cfg.base_url);
  const model = resolveModel(cfg.model_name, backend, "Qwen/Qwen3.5-9B");
  const rendererName = await resolveRenderer(cfg.renderer_name, model);
  if (cfg.gsm8k_file) checkFileExists(cfg.gsm8k_file, "gsm8k_file");
  if (cfg.math500_file) checkFileExists(cfg.math500_file, "math500_file");
  const ev = await import("@crucible/eval");
  const { safeGrade } = await import("@crucible/grading");
  // Load every problem set before opening the backend, so missing data is a config error.
  const sets = [];
  for (const n of names as (typeof BENCHMARKS)[number][]) {
    try {
      const dataFile = n === "gsm8k" ? cfg.gsm8k_file : n === "math500" ? cfg.math500_file : null;
      const problems = await ev.loadBenchmark(n, {
        ...(cfg.limit !== null ? { limit: cfg.limit } : {}),
        ...(dataFile ? { dataFile } : {}),
        grader: (g: string, t: string) => safeGrade(g, t), // time-limited, as the cookbook's safe_grade
      });
      sets.push({ name: n, problems });
    } catch (e) {
      if (e instanceof ev.BenchmarkDataError) throw new ConfigError(e.message, n);
      throw e;
    }
  }
  const outDir = cfg.out_dir ?? `/tmp/tinker-examples/eval/${modelSlug(model)}-${runDate()}`;
  const { openBackend } = await import("../common/backend.js");
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  const tokenizer = await getTokenizer(tokenizerNameFor(model));
  const renderer = getRenderer(rendererName, tokenizer);
  const session = await openBackend(backend, cfg.base_url);
  try {
    const samplingClient = await session.service.createSamplingClient(
      cfg.checkpoint ? { modelPath: cfg.checkpoint } : { baseModel: model },
    );
    for (const s of sets) {
      const r = await ev.runBenchmark({
        name: s.name,
        problems: s.problems,
        samplingClient,
        renderer,
        rendererName,
        modelId: cfg.checkpoint ?? model,
        outDir,
        maxTokens: cfg.max_tokens,
        temperature: cfg.temperature,
        numSamples: cfg.num_samples,
        concurrency: cfg.concurrency,
        decode: (t) => tokenizer.decode(t),
      });
      io.out(
        `${s.name}: accuracy ${r.accuracy.toFixed(4)} format ${r.format_rate.toFixed(4)} over ${r.num_problems} problems` +
          ` (${r.newly_evaluated} newly evaluated) → ${outDir}/${s.name}/result.json`,
      );
    }
  } finally {
    await session.close();
  }
  return 0;
}
