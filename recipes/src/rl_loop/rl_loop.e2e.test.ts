// rl_loop end to end on the embedded backend: sl_loop warms the byte-level tiny model up on x + y answers,
// then the flat RL loop samples groups, scores them and takes importance-sampling steps on the mixed groups.
// Not shown here: a reward rise. Over 12 steps (batch 16–32, group 4–8, lr 3e-4–1e-3) reward/total moved
// 0.05 → 0.08 and 0.06 → 0.07, within its step-to-step noise, so this test checks the loop's mechanics only.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSftData } from "../demo/arithmetic-data.js";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("rl_loop");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rl_loop e2e (local backend, crucible/tiny-bytes)", () => {
  it("after an sl_loop warm start, RL samples, scores and trains on mixed groups", {
    timeout: 300_000,
  }, async () => {
    const t0 = Date.now();
    const data = join(dir, "sums.jsonl");
    writeSftData(data, SL_STEPS * 32, MAX_OPERAND, new Set());
    const sl = await crucible([
      "run",
      "sl_loop",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      `dataset=${data}`,
      "batch_size=32",
      "learning_rate=3e-3",
      "train_on_what=last_assistant_message",
      "save_every=0",
      `log_path=${join(dir, "sl")}`,
    ]);
    expect(sl.code).toBe(0);
    const warm = readJsonl(join(dir, "sl", "checkpoints.jsonl")).at(-1)!["state_path"] as string;
    const t1 = Date.now();
    const log = join(dir, "rl");
    const r = await crucible([
      "run",
      "rl_loop",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      `load_checkpoint_path=${warm}`,
      "batch_size=16",
      "group_size=8",
      `max_operand=${MAX_OPERAND}`,
      "learning_rate=1e-3",
      "max_tokens=8",
      `max_steps=${RL_STEPS}`,
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    const reward = rows.map((m) => m["reward/total"] as number);
    expect(reward).toHaveLength(RL_STEPS);
    console.log(
      `rl_loop: SL ${(t1 - t0) / 1000} s, RL ${(Date.now() - t1) / 1000} s; ${reward.map((x) => x.toFixed(2)).join(" ")}`,
    );
    for (const x of reward) expect(x).toBeGreaterThanOrEqual(0);
    for (const x of reward) expect(x).toBeLessThanOrEqual(1);
    // The warm start gets some sums right, so some groups have mixed rewards and the loop trained on them.
    expect(rows.reduce((n, m) => n + (m["env/num_datums"] as number), 0)).toBeGreaterThan(0);
    const ck = readJsonl(join(log, "checkpoints.jsonl"));
    expect(ck.map((c) => c["name"])).toEqual(["final"]);
  });
});

const MAX_OPERAND = 5;
const SL_STEPS = 20;
const RL_STEPS = 3;
