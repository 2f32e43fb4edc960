// `crucible eval-offline <file.jsonl> grader=… key=value…`: scores rows of {input, output, target?} produced
// elsewhere with an exact, regex, math or model-graded grader (judge_model= / judge_checkpoint= on the local or
// a remote backend); per-row results and a summary next to the file (or in out_dir); reruns resume.
import { basename, join } from "node:path";
import { z } from "zod";
import { BackendChoice } from "../common/fields.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveRenderer,
  tokenizerNameFor,
} from "../common/resolve.js";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";
import { recipeHelp } from "./help.js";
import { parseOverrides, validateConfig } from "./overrides.js";

export const GRADERS = ["exact", "includes", "regex", "math", "f1", "model"] as const;

export const evalOfflineSchema = z
  .object({
    grader: z
      .enum(GRADERS)
      .default("exact")
      .describe(`How rows are scored: ${GRADERS.join(", ")}`),
    pattern: z
      .string()
      .nullable()
      .default(null)
      .describe("grader=regex: the answer pattern (first group = answer), compared with target"),
    judge_model: z.string().nullable().default(null).describe("grader=model: the judge's base model"),
    judge_checkpoint: z
      .string()
      .nullable()
      .default(null)
      .describe("grader=model: tinker:// sampler weights of the judge (with judge_model for its tokenizer)"),
    judge_renderer: z
      .string()
      .nullable()
      .default(null)
      .describe("Judge renderer; None = the model's recommended one"),
    partial_credit: z.boolean().default(false).describe("grader=model: accept GRADE: P as 0.5"),
    backend: BackendChoice.default("auto").describe("Backend of the judge: local, remote or auto"),
    base_url: z.string().nullable().default(null).describe("Tinker server URL for backend=remote"),
    out_dir: z.string().nullable().default(null).describe("Where results go; None = next to the input file"),
    concurrency: z.number().int().positive().default(8).describe("Rows scored at once"),
  })
  .strict();
type OfflineConfig = z.output<typeof evalOfflineSchema>;

function help(): string {
  return recipeHelp({
    name: "<file.jsonl>",
    summary: "",
    description:
      "Scores rows {id?, input, output, target?}. Writes <name>.<grader>.results.jsonl (one line per row) and <name>.<grader>.summary.json; a rerun scores only missing rows.",
    schema: evalOfflineSchema,
    resolve: async (c) => c,
    run: async () => {
      throw new Error("unreachable");
    },
  }).replace("crucible run <file.jsonl>", "crucible eval-offline <file.jsonl>");
}

export async function evalOfflineCommand(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(help());
    return 0;
  }
  const files = argv.filter((a) => !a.includes("="));
  if (files.length !== 1)
    throw new ConfigError(
      "usage: crucible eval-offline <file.jsonl> [grader=exact|regex|math|model] [key=value ...]",
    );
  const file = files[0]!;
  checkFileExists(file, "file");
  const cfg = validateConfig(
    evalOfflineSchema,
    parseOverrides(
      evalOfflineSchema,
      argv.filter((a) => a.includes("=")),
    ),
  );
  if (cfg.grader === "regex" && !cfg.pattern)
    throw new ConfigError("grader=regex needs pattern=<regex>", "pattern");
  if (cfg.grader === "model" && !cfg.judge_model)
    throw new ConfigError(
      "grader=model needs judge_model=<model> (and optionally judge_checkpoint=tinker://…)",
      "judge_model",
    );
  const ev = await import("@crucible/eval");
  let rows: Awaited<ReturnType<typeof ev.readOfflineRows>>;
  try {
    rows = await ev.readOfflineRows(file);
  } catch (e) {
    if (e instanceof ev.OfflineDataError) throw new ConfigError(e.message, "file");
    throw e;
  }
  const stem = join(
    cfg.out_dir ?? join(file, ".."),
    `${basename(file).replace(/\.jsonl$/, "")}.${cfg.grader}`,
  );
  const run = async (scorer: Parameters<typeof ev.evaluateOffline>[0]["scorer"]) => {
    const s = await ev.evaluateOffline({
      rows,
      scorer,
      resultsFile: `${stem}.results.jsonl`,
      summaryFile: `${stem}.summary.json`,
      concurrency: cfg.concurrency,
    });
    const metrics = Object.entries(s.metrics)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(", ");
    io.out(
      `${cfg.grader}: ${metrics} over ${s.scored}/${s.rows} rows (${s.newly_scored} newly scored) → ${stem}.summary.json`,
    );
  };
  if (cfg.grader !== "model") {
    const scorer =
      cfg.grader === "exact"
        ? ev.exact()
        : cfg.grader === "includes"
          ? ev.includes()
          : cfg.grader === "f1"
            ? ev.f1()
            : cfg.grader === "math"
              ? ev.mathEquivalence()
              : ev.pattern(compilePattern(cfg.pattern!));
    await run(scorer);
    return 0;
  }
  await withJudge(cfg, async (judge) => run(ev.modelGradedQA({ judge, partialCredit: cfg.partial_credit })));
  return 0;
}

function compilePattern(p: string): RegExp {
  try {
    return new RegExp(p);
  } catch (e) {
    throw new ConfigError(
      `pattern=${p}: not a valid regular expression (${e instanceof Error ? e.message : e})`,
      "pattern",
    );
  }
}

async function withJudge(
  cfg: OfflineConfig,
  f: (judge: import("@crucible/eval").ChatModel) => Promise<void>,
): Promise<void> {
  const backend = resolveBackend(cfg.backend);
  if (backend === "remote") checkRemote(cfg.base_url);
  const model = cfg.judge_model!;
  const rendererName = await resolveRenderer(cfg.judge_renderer, model);
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  const { chatModel } = await import("@crucible/eval");
  const { openBackend } = await import("../common/backend.js");
  const renderer = getRenderer(rendererName, await getTokenizer(tokenizerNameFor(model)));
  const session = await openBackend(backend, cfg.base_url);
  try {
    const samplingClient = await session.service.createSamplingClient(
      cfg.judge_checkpoint ? { modelPath: cfg.judge_checkpoint } : { baseModel: model },
    );
    await f(chatModel({ samplingClient, renderer, name: cfg.judge_checkpoint ?? model }));
  } finally {
    await session.close();
  }
}
