// Bundled small datasets (recipes/data/) used by the local-backend defaults.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of a bundled data file, from source (src/common/) or the built package (dist/). */
export function bundledData(file: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "..", "..", "data", file),
    join(here, "..", "data", file),
    join(here, "data", file),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** The cookbook's example_data/conversations.jsonl (128 chat conversations). */
export const CONVERSATIONS_FILE = "conversations.jsonl";
/** Preference pairs in the comparisons JSONL format (see data/README.md). */
export const PREFERENCES_FILE = "preferences.jsonl";
/** The cookbook's example_data/multilingual.txt (2100 sentences in 15 languages), prompts of prompt_distillation. */
export const MULTILINGUAL_FILE = "multilingual.txt";
/** Short synthetic comparisons where the shorter (unpadded) answer is preferred, for the local rlhf pipeline. */
export const RLHF_COMPARISONS_FILE = "rlhf_comparisons.jsonl";
