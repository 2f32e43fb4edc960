// `crucible weights download|adapter|merge|publish`: take a trained model home (see @crucible/weights).
import { parseArgs } from "node:util";
import { HubError } from "@crucible/hub";
import { ServiceClient } from "@crucible/tinker-client";
import {
  downloadCheckpoint,
  exportPeftAdapter,
  mergeAdapter,
  readCheckpoint,
  resolveBaseModelDir,
  WeightsError,
} from "@crucible/weights";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";

const HELP: Record<string, string> = {
  weights: `Usage: crucible weights <verb> [options]

Take a trained model home: download a checkpoint, export a PEFT adapter, merge into a full Hugging Face model,
publish to the hub.

Verbs:
  download <tinker-path> <dir>     download a checkpoint archive (verified SHA-256, atomic, progress bar)
  adapter <checkpoint-dir> <out>   write a PEFT LoRA adapter directory (PEFT, vLLM --lora-modules)
  merge <checkpoint-dir> <out>     write a merged full Hugging Face model (sharded safetensors + index)
  publish <dir> <repo-id>          upload a model or adapter directory to the Hugging Face hub with a model card

Run crucible weights <verb> --help for a verb's options. Bad input exits with code 2 and leaves no output.`,
  download: `Usage: crucible weights download <tinker-path> <dir> [--base-url URL] [--api-key KEY] [--overwrite]

Asks the server for the checkpoint's signed archive URL, downloads the tar (progress on stderr), verifies its size
and SHA-256 (x-content-sha256 / repr-digest; MD5 x-goog-hash from cloud stores), and extracts it into <dir>
atomically. Works against crucible-local, any Tinker-compatible server and the hosted service.

Options:
  --base-url URL   Tinker server (default $TINKER_BASE_URL, else the hosted service)
  --api-key KEY    API key (default $TINKER_API_KEY)
  --overwrite      replace <dir> if it exists`,
  adapter: `Usage: crucible weights adapter <checkpoint-dir> <out> [--base NAME_OR_DIR] [--drop-unembed] [--overwrite]

Writes a PEFT LoRA directory: adapter_model.safetensors (base_model.model.<module>.lora_{A,B}.weight) and
adapter_config.json (peft_type, r, lora_alpha, target_modules, base_model_name_or_path, task_type).

The unembedding LoRA (trained with train_unembed) is kept as target "lm_head": PEFT/transformers apply it to the
output projection only, which is exact even with tied embeddings. vLLM and SGLang cannot load LoRA on lm_head:
--drop-unembed leaves it out (the adapter then loads there, but outputs differ from the trained model; serve the
output of 'crucible weights merge' for exact results).

Options:
  --base NAME_OR_DIR  base model recorded in the config (default: the checkpoint's); a local directory (or a
                      built-in / HF-cached model) is also used to check every LoRA shape against it
  --drop-unembed      leave the unembedding LoRA out (for vLLM / SGLang)
  --overwrite         replace <out> if it exists`,
  merge: `Usage: crucible weights merge <checkpoint-dir> <out> [--base NAME_OR_DIR] [--overwrite]

Writes a full Hugging Face model directory: config.json, sharded safetensors with model.safetensors.index.json,
tokenizer files and generation_config.json, with W + (alpha/r)·B·A in the base model's dtype. Streams one tensor
at a time (memory: the adapter plus one base tensor). Tied embeddings with an unembedding LoRA are untied: lm_head
is written apart (embedding + delta), because the LoRA changed only the output side.

Options:
  --base NAME_OR_DIR  base model: a local HF directory, a built-in model, or a hub id in the HF cache
                      (default: the checkpoint's base_model_name_or_path)
  --overwrite         replace <out> if it exists`,
  publish: `Usage: crucible weights publish <dir> <repo-id> [--log-dir DIR] [--recipe NAME] [--private] [--token TOKEN]

Uploads a merged model or PEFT adapter directory to the Hugging Face hub (HF_ENDPOINT honoured) with a generated
model card: base model, recipe, data, final metrics from <log-dir>/metrics.jsonl and the command that reproduces
the run (from <log-dir>/config.json).

Options:
  --log-dir DIR   the training run's log directory (config.json, metrics.jsonl) for the model card
  --recipe NAME   the recipe that trained it, for the card's reproduce command (e.g. sl_basic)
  --private       create the repository as private
  --token TOKEN   hub token (default $HF_TOKEN)`,
};

function usage(verb: string, message: string): ConfigError {
  return new ConfigError(`${message}\n\n${HELP[verb] ?? HELP["weights"]}`);
}

/** A progress bar on stderr (redrawn in place on a terminal, every 10% otherwise). */
function progress(io: CliIO, label: string): (done: number, total: number | undefined) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (done, total) => {
    const frac = total ? done / total : undefined;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const text =
      frac === undefined
        ? `${label} ${mb(done)} MB`
        : `${label} [${"#".repeat(Math.round(frac * 30)).padEnd(30, ".")}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(total as number)} MB`;
    if (tty) {
      process.stderr.write(`\r${text}${frac === 1 ? "\n" : ""}`);
    } else if (frac !== undefined && Math.floor(frac * 10) > lastTenth) {
      lastTenth = Math.floor(frac * 10);
      io.err(text);
    }
  };
}

async function builtinDir(name: string): Promise<string | undefined> {
  const { BUILTIN_MODELS, ensureBuiltinModel } = await import("@crucible/tinker-local");
  return BUILTIN_MODELS[name] ? ensureBuiltinModel(name) : undefined;
}

async function baseDirFor(base: string | undefined, checkpointDir: string, required: boolean) {
  const name = base ?? readCheckpoint(checkpointDir).baseModel;
  if (!name) {
    if (!required) return undefined;
    throw new WeightsError(
      `${checkpointDir} does not name its base model; pass --base <dir or hub id>`,
      "base_model",
    );
  }
  const builtin = await builtinDir(name);
  return { name, dir: resolveBaseModelDir(name, { builtin: () => builtin }) };
}

async function run(verb: string, argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      overwrite: { type: "boolean" },
      base: { type: "string" },
      "base-url": { type: "string" },
      "api-key": { type: "string" },
      "drop-unembed": { type: "boolean" },
      "log-dir": { type: "string" },
      recipe: { type: "string" },
      private: { type: "boolean" },
      token: { type: "string" },
    },
  });
  if (values.help) {
    io.out(HELP[verb] as string);
    return 0;
  }
  const [first, second, ...extra] = positionals;
  if (!first || !second || extra.length > 0) throw usage(verb, `weights ${verb}: expected two arguments`);
  const overwrite = values.overwrite ?? false;
  switch (verb) {
    case "download": {
      const svc = new ServiceClient({
        ...(values["base-url"] ? { baseUrl: values["base-url"] } : {}),
        ...(values["api-key"] ? { apiKey: values["api-key"] } : {}),
      });
      try {
        const r = await downloadCheckpoint({
          tinkerPath: first,
          outDir: second,
          rest: svc.createRestClient(),
          baseUrl: svc.baseUrl,
          overwrite,
          onProgress: progress(io, "download"),
        });
        io.out(
          `downloaded ${first} → ${second}: ${r.files.join(", ")} (${r.bytes} bytes, sha256 ${r.sha256}, verified with ${r.verifiedWith})`,
        );
      } finally {
        await svc.close();
      }
      return 0;
    }
    case "adapter": {
      const base = values.base
        ? await baseDirFor(values.base, first, false).catch(() => undefined)
        : undefined;
      const r = await exportPeftAdapter({
        checkpointDir: first,
        outDir: second,
        ...(values.base ? { baseModel: values.base } : {}),
        ...(base ? { baseDir: base.dir } : {}),
        unembed: values["drop-unembed"] ? "drop" : "keep",
        overwrite,
      });
      io.out(`PEFT adapter → ${second}: target_modules ${r.targetModules.join(", ")} (${r.tensors} tensors)`);
      for (const n of r.notes) io.out(`note: ${n}`);
      return 0;
    }
    case "merge": {
      const base = await baseDirFor(values.base, first, true);
      const bar = progress(io, "merge");
      const r = await mergeAdapter({
        checkpointDir: first,
        baseDir: base?.dir as string,
        ...(base ? { baseModel: base.name } : {}),
        outDir: second,
        overwrite,
        onTensor: (done, total) => bar(done, total),
      });
      io.out(
        `merged ${r.mergedModules} LoRA modules into ${base?.name} → ${second} (${r.shards.length} shard(s), ${(r.totalBytes / 1e6).toFixed(1)} MB${r.untied ? "; tied embeddings untied: lm_head written apart" : ""})`,
      );
      return 0;
    }
    case "publish": {
      const { publishCommand } = await import("./weights-publish.js");
      return publishCommand(first, second, values, io);
    }
  }
  throw usage("weights", `unknown verb '${verb}'`);
}

export async function weightsCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === "--help" || verb === "-h" || verb === "help") {
    io.out(HELP["weights"] as string);
    return 0;
  }
  if (!["download", "adapter", "merge", "publish"].includes(verb))
    throw usage("weights", `unknown verb '${verb}'; verbs: download, adapter, merge, publish`);
  try {
    return await run(verb, rest, io);
  } catch (err) {
    if (err instanceof WeightsError || err instanceof HubError) throw new ConfigError(err.message);
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
      throw usage(verb, err.message);
    throw err;
  }
}
