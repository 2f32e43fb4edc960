// Where math_rl's problems come from: arithmetic is generated; gsm8k/math/polaris/deepmath read local files (a
// data_dir with train*/test* .jsonl|.parquet files) or the Hugging Face cache, filled from the hub when the run
// starts (datasets are loaded client-side on every backend). Checked before the run starts (cache or hub listing,
// nothing downloaded), so missing data is a config error.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MathSources, RowSource } from "@crucible/env";
import { ConfigError } from "../cli/errors.js";
import { checkHubDataset } from "../common/hub-inputs.js";
import type { BackendKind } from "../common/resolve.js";

const DATA_FILE = /\.(jsonl|parquet)$/;

function splitFiles(dir: string, split: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(split) && DATA_FILE.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The train and test files of a data dir as env row sources. */
export function sourcesFromDir(dir: string): MathSources {
  const train = splitFiles(dir, "train");
  const test = splitFiles(dir, "test");
  const src: MathSources = { train: { files: train } };
  if (test.length) src.test = { files: test } as RowSource;
  return src;
}

/** Validates the data location for an env; returns the data_dir to use (null = HF cache / generated). */
export async function resolveMathData(
  env: string,
  dataDir: string | null,
  _backend: BackendKind,
): Promise<string | null> {
  if (env === "arithmetic") return dataDir;
  if (dataDir !== null) {
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
      throw new ConfigError(`data_dir=${dataDir}: directory not found`, "data_dir");
    }
    if (splitFiles(dataDir, "train").length === 0) {
      throw new ConfigError(`data_dir=${dataDir}: no train*.jsonl or train*.parquet file`, "data_dir");
    }
    return dataDir;
  }
  // Named sets: in the HF cache, or listed on the hub (fetched into the cache when the run starts).
  await checkHubDataset(env, "env");
  return null;
}
