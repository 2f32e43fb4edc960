// Joinable jobs (continuous batching of sampling requests) in the lane scheduler: grouping, joining while a group
// runs, fairness towards other lanes, FIFO within a lane, the join policy, failures.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type JoinSpec, LaneScheduler } from "./scheduler.js";

const spec = (rows = 1): JoinSpec => ({
  baseModel: "m",
  rows,
  promptTokens: 4,
  maxTokens: 8,
  promptLogprobs: false,
});
const later = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A job that records when it starts and ends, and finishes when `release` is called. */
function gated(log: string[], name: string) {
  let release: () => void = () => {};
  const done = new Promise<void>((r) => {
    release = r;
  });
  const run = async () => {
    log.push(`+${name}`);
    await done;
    log.push(`-${name}`);
    return name;
  };
  return { run, release: () => release() };
}

describe("LaneScheduler: joinable jobs", () => {
  it("the joinable jobs queued in a lane start together in one slot when its turn comes", async () => {
    const s = new LaneScheduler(1);
    const log: string[] = [];
    const t = gated(log, "train");
    const a = [0, 1, 2].map((i) => gated(log, `a${i}`));
    const p = [s.enqueue("train:m", t.run), ...a.map((j) => s.enqueue("sample:x", j.run, spec()))];
    await later();
    expect(log).toEqual(["+train"]);
    t.release();
    await later();
    expect(log.slice(2).sort()).toEqual(["+a0", "+a1", "+a2"]);
    expect(s.active).toBe(1);
    for (const j of a) j.release();
    expect(await Promise.all(p)).toEqual(["train", "a0", "a1", "a2"]);
  });

  it("a joinable job arriving while its lane's group runs starts at once; the slot is held until the last ends", async () => {
    const s = new LaneScheduler(1);
    const log: string[] = [];
    const a0 = gated(log, "a0");
    const a1 = gated(log, "a1");
    const p0 = s.enqueue("sample:x", a0.run, spec());
    await later();
    const p1 = s.enqueue("sample:x", a1.run, spec());
    await later();
    expect(log).toEqual(["+a0", "+a1"]);
    a0.release();
    await p0;
    expect(s.active).toBe(1); // a1 still runs in the group's slot
    const other = s.enqueue("train:m", async () => log.push("train"));
    await later();
    expect(log).not.toContain("train");
    a1.release();
    await Promise.all([p1, other]);
    expect(log.at(-1)).toBe("train");
  });

  it("fairness: while another lane waits, new arrivals wait for their lane's next turn", async () => {
    const s = new LaneScheduler(1);
    const log: string[] = [];
    const a0 = gated(log, "a0");
    const p0 = s.enqueue("sample:x", a0.run, spec());
    await later();
    const b = s.enqueue("sample:y", async () => log.push("b"), spec());
    const a1 = s.enqueue("sample:x", async () => log.push("a1"), spec());
    await later();
    expect(log).toEqual(["+a0"]); // a1 did not join: lane y is waiting
    a0.release();
    await Promise.all([p0, b, a1]);
    expect(log).toEqual(["+a0", "-a0", "b", "a1"]);
  });

  it("a non-joinable job keeps its FIFO place: later joinable jobs do not pass it", async () => {
    const s = new LaneScheduler(1);
    const log: string[] = [];
    const a0 = gated(log, "a0");
    const p0 = s.enqueue("sample:x", a0.run, spec());
    await later();
    const cleanup = s.enqueue("sample:x", async () => log.push("cleanup"));
    const a1 = s.enqueue("sample:x", async () => log.push("a1"), spec());
    await later();
    expect(log).toEqual(["+a0"]);
    a0.release();
    await Promise.all([p0, cleanup, a1]);
    expect(log).toEqual(["+a0", "-a0", "cleanup", "a1"]);
  });

  it("the join policy bounds the group and is asked again when a member ends", async () => {
    const maxRows = 4;
    const seen: number[] = [];
    const s = new LaneScheduler(1, (group, next) => {
      const rows = group.reduce((n, g) => n + g.rows, 0) + next.rows;
      seen.push(rows);
      return rows <= maxRows;
    });
    const log: string[] = [];
    const a = gated(log, "a");
    const b = gated(log, "b");
    const pa = s.enqueue("sample:x", a.run, spec(3));
    const pb = s.enqueue("sample:x", b.run, spec(2));
    await later();
    expect(log).toEqual(["+a"]); // 3 + 2 rows > 4
    a.release();
    await pa;
    await later();
    expect(log).toEqual(["+a", "-a", "+b"]);
    b.release();
    await pb;
    expect(seen).toContain(5);
  });

  it("a failing member rejects alone; the group's others finish", async () => {
    const s = new LaneScheduler(1);
    const bad = s.enqueue(
      "sample:x",
      async () => {
        throw new Error("boom");
      },
      spec(),
    );
    const good = s.enqueue("sample:x", async () => 7, spec());
    await expect(bad).rejects.toThrow("boom");
    await expect(good).resolves.toBe(7);
    expect(s.active).toBe(0);
  });

  it("property: within a lane plain jobs run alone and in FIFO order; every job runs once; slots are bounded", async () => {
    const job = fc.record({
      lane: fc.constantFrom("a", "b", "c"),
      joinable: fc.boolean(),
      ms: fc.integer({ min: 0, max: 3 }),
      gap: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(job, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 2 }),
        async (jobs, conc) => {
          const s = new LaneScheduler(conc, (g, n) => g.length + n.rows <= 3);
          const runningByLane = new Map<string, { plain: number; any: number }>();
          const started: Record<string, number[]> = {};
          let slotsPeak = 0;
          const all: Promise<unknown>[] = [];
          for (const [i, j] of jobs.entries()) {
            const run = async () => {
              const r = runningByLane.get(j.lane) ?? { plain: 0, any: 0 };
              runningByLane.set(j.lane, r);
              if (!j.joinable) expect(r.any).toBe(0);
              expect(r.plain).toBe(0);
              r.any++;
              if (!j.joinable) r.plain++;
              const lane = started[j.lane] ?? [];
              started[j.lane] = lane;
              lane.push(i);
              slotsPeak = Math.max(slotsPeak, s.active);
              await later(j.ms);
              r.any--;
              if (!j.joinable) r.plain--;
              return i;
            };
            all.push(s.enqueue(j.lane, run, j.joinable ? spec() : undefined));
            if (j.gap > 0) await later(j.gap);
          }
          expect(await Promise.all(all)).toEqual(jobs.map((_, i) => i));
          for (const order of Object.values(started)) expect(order).toEqual([...order].sort((x, y) => x - y));
          expect(slotsPeak).toBeLessThanOrEqual(conc);
          expect(s.active).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
