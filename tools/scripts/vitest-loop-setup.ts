// Vitest setup file (runs in every test process). Vitest's worker answers its runner over birpc with a fixed
// 60 s timeout, and the runner does not return to the event loop between synchronous tests: a file of many
// synchronous property tests (e.g. the renderer invariants, ~165 s in CI) starved the reply to an
// `onTaskUpdate` call and failed the run with no failing test. So: give the loop a turn after every test, and
// name any test that still blocks it for long.
import { afterAll, afterEach, expect } from "vitest";
import { stallThresholdMs, watchLoopStalls } from "./loop-stall-watch.js";

// setImmediate runs after the poll phase, where the runner's replies are read.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

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
