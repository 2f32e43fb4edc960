import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Prefix of a test run's temp root; deliberately not `crucible-`, the prefix tests give their own dirs. */
export const TEMP_ROOT_PREFIX = "vitest-run-";

export interface TempRoot {
  /** The directory every test process sees as its temp dir (TMPDIR). */
  root: string;
  /** Removes the root and everything in it; returns the top-level entries tests left behind. */
  remove(): string[];
}

/**
 * A fresh temp root inside `outer`. Pointing TMPDIR at it makes everything a test run creates through
 * os.tmpdir() (Node, child processes, Python's tempfile, Chromium profiles) removable in one step, even
 * when a test crashes before its own cleanup.
 */
export function createTempRoot(outer: string): TempRoot {
  const root = mkdtempSync(join(outer, TEMP_ROOT_PREFIX));
  return {
    root,
    remove() {
      let left: string[] = [];
      try {
        left = readdirSync(root).sort();
      } catch {
        // already gone
      }
      rmSync(root, { recursive: true, force: true });
      return left;
    },
  };
}
