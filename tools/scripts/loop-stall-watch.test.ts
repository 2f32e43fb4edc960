import { describe, expect, it } from "vitest";
import { type LoopStall, stallThresholdMs, watchLoopStalls } from "./loop-stall-watch.js";

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: the point is to keep the event loop from running timers
  }
}

describe("watchLoopStalls", () => {
  it("reports a synchronous block longer than the threshold, and not the ticks around it", async () => {
    const stalls: LoopStall[] = [];
    const seen: string[] = [];
    let phase = "before";
    const stop = watchLoopStalls(
      300,
      () => phase,
      (s, before) => {
        stalls.push(s);
        seen.push(before);
      },
      20,
    );
    await new Promise((r) => setTimeout(r, 100));
    phase = "blocking";
    await new Promise((r) => setTimeout(r, 60));
    blockFor(600);
    phase = "after";
    await new Promise((r) => setTimeout(r, 100));
    stop();
    expect(stalls).toHaveLength(1);
    // Named by what was running when the stall began, not by what runs once it ended.
    expect(seen).toEqual(["blocking"]);
    expect(stalls[0]!.stalledMs).toBeGreaterThanOrEqual(300);
    expect(stalls[0]!.stalledMs).toBeLessThan(2_000);
  });

  it("stays quiet while the loop is free", async () => {
    const stalls: LoopStall[] = [];
    const stop = watchLoopStalls(
      300,
      () => 0,
      (s) => stalls.push(s),
      20,
    );
    await new Promise((r) => setTimeout(r, 200));
    stop();
    expect(stalls).toEqual([]);
  });
});

describe("stallThresholdMs", () => {
  it("defaults to 15 s and reads CRUCIBLE_LOOP_STALL_MS", () => {
    expect(stallThresholdMs({})).toBe(15_000);
    expect(stallThresholdMs({ CRUCIBLE_LOOP_STALL_MS: "500" })).toBe(500);
  });
  it("names the variable on a bad value", () => {
    expect(() => stallThresholdMs({ CRUCIBLE_LOOP_STALL_MS: "soon" })).toThrow(/CRUCIBLE_LOOP_STALL_MS=soon/);
  });
});
