// Vitest global setup: every test process of a run gets one private temp root (TMPDIR), removed when the run
// ends, so a run leaves nothing in the machine's temp dir (one run used to leave ~419 crucible-* dirs, 3.3 GB).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stallThresholdMs, watchLoopStalls } from "./loop-stall-watch.js";
import { createTempRoot } from "./temp-root.js";

export default function setup(): () => void {
  const outer = tmpdir();
  const temp = createTempRoot(outer);
  // Set before vitest forks its workers, which inherit the environment.
  process.env.TMPDIR = temp.root;
  process.env.CRUCIBLE_TEST_TEMP_ROOT = temp.root;
  // The embedded backend's default store is ~/.crucible/tinker-local: tests that run a recipe with backend=local
  // must neither write there nor share it with the user's own runs.
  process.env.CRUCIBLE_LOCAL_DIR ??= join(temp.root, "tinker-local");
  // The runner answers the workers' RPCs: a stall here fails the run like a stall in a worker.
  const stopWatch = watchLoopStalls(stallThresholdMs(), Date.now, ({ stalledMs }) =>
    process.stderr.write(`[loop-stall] vitest main process blocked ${(stalledMs / 1000).toFixed(1)} s\n`),
  );
  return () => {
    stopWatch();
    const left = temp.remove();
    process.env.TMPDIR = outer;
    if (left.length > 0 && process.env.CRUCIBLE_REPORT_TEMP === "1") {
      // Opt-in listing to find the tests that do not clean up after themselves.
      console.warn(`temp root: ${left.length} entries left by tests, removed: ${left.join(", ")}`);
    }
  };
}
