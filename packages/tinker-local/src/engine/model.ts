import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readSafetensorsHeader } from "@crucible/hub";
import { Tokenizer } from "@huggingface/tokenizers";
import { type ParsedModelConfig, parseModelConfig } from "./config.js";
import type { NativeAddon, NativeModel, NativeWeight } from "./native.js";
import type { BaseModelInfo } from "./types.js";

/** A base model loaded into the addon, plus what the TS side needs (config, tokenizer). */
export interface LoadedModel {
  info: BaseModelInfo;
  dir: string;
  config: ParsedModelConfig;
  native: NativeModel;
  tokenizer(): Tokenizer;
}

export class ModelLoadError extends Error {
  /** The caller's input was wrong (the server reports it as a `user` error). */
  readonly category = "user" as const;
  constructor(model: string, detail: string) {
    super(`cannot load model ${model}: ${detail}`);
    this.name = "ModelLoadError";
  }
}

export async function loadModelDir(
  addon: NativeAddon,
  name: string,
  dir: string,
  tokenizerId?: string,
  device = "cpu",
): Promise<LoadedModel> {
  const abs = resolve(dir);
  const cfgPath = join(abs, "config.json");
  if (!existsSync(cfgPath))
    throw new ModelLoadError(name, `${cfgPath} not found (expected a Hugging Face model directory)`);
  const config = parseModelConfig(JSON.parse(readFileSync(cfgPath, "utf8")));
  const files = readdirSync(abs)
    .filter((f) => f.endsWith(".safetensors"))
    .sort();
  if (files.length === 0) throw new ModelLoadError(name, `no *.safetensors file in ${abs}`);
  const weights: NativeWeight[] = [];
  for (const f of files) weights.push(...readSafetensorsHeader(join(abs, f)).tensors);
  if (config.weightPrefix) {
    // A multimodal checkpoint: load only the text model, under the names the native decoder expects.
    const prefix = config.weightPrefix;
    const text = weights.filter((w) => w.name.startsWith(prefix) || w.name === "lm_head.weight");
    weights.length = 0;
    for (const w of text)
      weights.push({
        ...w,
        name: w.name === "lm_head.weight" ? w.name : `model.${w.name.slice(prefix.length)}`,
      });
  }
  const native = new addon.NativeModel();
  await native.load({ ...config.native, device }, weights);
  const numParameters = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  let tok: Tokenizer | undefined;
  const tokPath = join(abs, "tokenizer.json");
  return {
    dir: abs,
    config,
    native,
    info: {
      name,
      architecture: config.architecture,
      vocabSize: config.native.vocab,
      contextLength: config.contextLength,
      numParameters,
      tokenizerId: tokenizerId ?? abs,
      eosTokenIds: config.eosTokenIds,
    },
    tokenizer() {
      if (!tok) {
        if (!existsSync(tokPath))
          throw new ModelLoadError(name, `${tokPath} not found (needed for decoding and stop strings)`);
        const cfgFile = join(abs, "tokenizer_config.json");
        const tcfg = existsSync(cfgFile) ? JSON.parse(readFileSync(cfgFile, "utf8")) : {};
        tok = new Tokenizer(JSON.parse(readFileSync(tokPath, "utf8")), tcfg);
      }
      return tok;
    },
  };
}
