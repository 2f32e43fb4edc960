// Reports event-loop stalls in test processes. Vitest's worker talks to the runner over birpc with a fixed 60 s
// timeout: a test that blocks its process's event loop longer than that fails the whole run with an anonymous
// `Timeout calling "onTaskUpdate"` even when every test passes. This names the test that stalled, long before
// the 60 s limit, so the blocking call can be found and made asynchronous.

export interface LoopStall {
  /** How long the loop could not run timers, in ms. */
  stalledMs: number;
  /** When the stall ended (ms since the epoch). */
  endedAt: number;
}

/**
 * Calls `onStall` whenever the loop was blocked at least `thresholdMs`, with what `sample` returned on the last
 * tick before the stall (e.g. the running test's name); returns a function that stops watching.
 */
export function watchLoopStalls<T>(
  thresholdMs: number,
  sample: () => T,
  onStall: (stall: LoopStall, before: T) => void,
  tickMs = 250,
): () => void {
  let last = Date.now();
  let before = sample();
  const timer = setInterval(() => {
    const now = Date.now();
    const stalledMs = now - last - tickMs;
    last = now;
    if (stalledMs >= thresholdMs) onStall({ stalledMs, endedAt: now }, before);
    before = sample();
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Threshold from CRUCIBLE_LOOP_STALL_MS (default 15 s: a quarter of vitest's 60 s RPC limit). */
export function stallThresholdMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CRUCIBLE_LOOP_STALL_MS;
  const n = raw === undefined ? 15_000 : Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`CRUCIBLE_LOOP_STALL_MS=${raw}: expected a positive number of milliseconds`);
  }
  return n;
}
