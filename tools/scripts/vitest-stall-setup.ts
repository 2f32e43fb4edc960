// Vitest setup file (runs in every test process): names the test during which the process's event loop stalled.
import { afterAll, expect } from "vitest";
import { stallThresholdMs, watchLoopStalls } from "./loop-stall-watch.js";

const runningTest = () => {
  const { currentTestName, testPath } = expect.getState();
  return `${testPath ?? "?"} (test: ${currentTestName ?? "between tests"})`;
};
const stop = watchLoopStalls(stallThresholdMs(), runningTest, ({ stalledMs }, before) => {
  process.stderr.write(
    `[loop-stall] event loop blocked ${(stalledMs / 1000).toFixed(1)} s; last seen running: ${before}; ` +
      `now: ${runningTest()}. vitest fails the run past 60 s\n`,
  );
});
afterAll(stop);
