// Test file order: named long files first, then vitest's own order. On a fresh clone (CI) vitest has no durations
// and orders by file size, so the pack check (a small file that runs for minutes) would start last and run alone
// at the end; started first on one fork, it overlaps the rest of the suite on the other.
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Longest first (measured in CI): the pack check, then the renderer invariants (~260 s). */
export const LONG_FILES = ["tools/scripts/pack-check.test.ts", "packages/renderers/test/invariants.test.ts"];

/** Orders `files` (already in vitest's order) with those ending in `first`'s paths at the front, in that order. */
export function longFilesFirst<T extends { moduleId: string }>(files: readonly T[], first = LONG_FILES): T[] {
  const rank = (f: T) => {
    const i = first.findIndex((p) => f.moduleId.endsWith(`/${p}`));
    return i < 0 ? first.length : i;
  };
  return files
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

export class LongFilesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return longFilesFirst(await super.sort(files));
  }
}
