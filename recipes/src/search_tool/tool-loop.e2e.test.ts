// search_tool's multi-turn tool loop on the embedded backend, with the tool really called: tiny-qwen3 is warmed up
// on one demonstration (warm-start.ts: the Marie Curie question, a `search` call, its result, "Answer: Warsaw"),
// then `crucible run search_tool` (same one-document corpus) starts from that state and the policy calls `search` by itself, the env runs the
// query against the index and the results come back in the next prompt. The model memorised one episode: this
// shows the loop, not learned search.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { supervisedWarmStart } from "../common/warm-start.js";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";
import { SEARCH_DEMO, SEARCH_WARM_START, searchDemoDatum, searchDemoRunArgs } from "./warm-start.js";

const dir = e2eDir("search_tool_loop");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Step {
  ob_len: number;
  ac_len: number;
  reward: number;
  metrics: Record<string, number>;
}

describe("search_tool tool loop", () => {
  it("after a warm start on one demonstration, episodes call search and read its results", {
    timeout: 300_000,
  }, async () => {
    const t0 = Date.now();
    const session = await openBackend("local", null, [SEARCH_DEMO.model]);
    let statePath: string;
    let nll: number[];
    try {
      ({ statePath, nll } = await supervisedWarmStart({
        ...SEARCH_WARM_START,
        service: session.service,
        baseModel: SEARCH_DEMO.model,
        datums: [await searchDemoDatum()],
        logPath: join(dir, "warm"),
      }));
    } finally {
      await session.close();
    }
    const t1 = Date.now();
    expect(nll.at(-1)).toBeLessThan(0.02);

    const run = searchDemoRunArgs({ dir, statePath, groupSize: GROUP, loraRank: SEARCH_WARM_START.loraRank });
    const log = run.logPath;
    const r = await crucible(run.argv);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    console.log(
      `search_tool loop: warm start ${(t1 - t0) / 1000} s (NLL ${nll[0]!.toFixed(2)} → ${nll.at(-1)!.toFixed(4)}), RL step ${(Date.now() - t1) / 1000} s`,
    );

    const [m] = readJsonl(join(log, "metrics.jsonl"));
    expect(m!["env/all/total_episodes"]).toBe(GROUP);
    expect(m!["env/all/num_tool_calls"]).toBeGreaterThan(0);
    expect(m!["env/all/turns_per_episode"]).toBeGreaterThan(1);

    // Per episode: a tool turn (tool_call 1, reward 0, not the end), then a next prompt that holds the whole
    // first turn plus the tool's result; the episode's tool-call count is what the metric summed.
    const trajs = readJsonl(join(log, "iteration_000000", "train_rollout_summaries.jsonl"));
    expect(trajs).toHaveLength(GROUP);
    const withTool = trajs.map((t) => t["steps"] as Step[]).filter((s) => s[0]!.metrics["tool_call"] === 1);
    expect(withTool.length).toBeGreaterThan(0);
    for (const steps of withTool) {
      expect(steps.length).toBeGreaterThanOrEqual(2);
      const [call, next] = [steps[0]!, steps[1]!];
      expect(call.reward).toBe(0);
      expect(next.ob_len).toBeGreaterThan(call.ob_len + call.ac_len + RESULT_MIN_TOKENS);
      expect(steps.at(-1)!.metrics["num_tool_calls"]).toBeGreaterThanOrEqual(1);
    }

    // The transcript shows the call the policy wrote and the document the index returned for it.
    const html = readFileSync(join(log, "iteration_000000", "train.html"), "utf8");
    expect(html).toContain("&lt;tool_call&gt;");
    expect(html).toContain(SEARCH_DEMO.corpus[0].text);
  });
});

/** Episodes sampled; each calls the tool with probability ≈ 1 after the warm start (see the README). */
const GROUP = 2;
/** Measured: the tool message with the document and the next header add 48 tokens; with no document, ~28. */
const RESULT_MIN_TOKENS = 40;
