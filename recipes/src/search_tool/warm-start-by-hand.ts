// By-hand measurement (no test runs it): the warm start of warm-start.ts, timed, then one `crucible run
// search_tool` step from the warmed state; prints the per-step NLL, phase times and the run's tool metrics.
// Overrides of SEARCH_WARM_START as JSON, e.g. '{"steps":60,"learningRate":1.5e-2}'.
//   pnpm exec tsx src/search_tool/warm-start-by-hand.ts [overrides_json] [group_size] [out_dir]
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/app.js";
import { commands } from "../cli/commands.js";
import { openBackend } from "../common/backend.js";
import { supervisedWarmStart } from "../common/warm-start.js";
import { readJsonl } from "../testing/e2e.js";
import { SEARCH_DEMO, SEARCH_WARM_START, searchDemoDatum, searchDemoRunArgs } from "./warm-start.js";

const [overrides = "{}", group = "4", out = "/tmp/crucible-stw"] = process.argv.slice(2);
const s = { ...SEARCH_WARM_START, ...(JSON.parse(overrides) as Partial<typeof SEARCH_WARM_START>) };
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
process.env["CRUCIBLE_LOCAL_DIR"] = join(out, "store");
const cpu = () => {
  const c = process.cpuUsage();
  return `${((c.user + c.system) / 1e6).toFixed(1)} s CPU`;
};
const t0 = Date.now();
const datum = await searchDemoDatum();
const session = await openBackend("local", null, [SEARCH_DEMO.model]);
console.log(JSON.stringify(s), `setup ${Date.now() - t0} ms, ${cpu()}`);
const t1 = Date.now();
const { statePath } = await supervisedWarmStart({
  ...s,
  service: session.service,
  baseModel: SEARCH_DEMO.model,
  datums: [datum],
  logPath: join(out, "sft"),
  onStep: (i, nll) => console.log(`step ${i} nll ${nll.toFixed(4)}`),
});
await session.close();
console.log(`warm start ${Date.now() - t1} ms, ${cpu()}`);
const t2 = Date.now();
const run = searchDemoRunArgs({ dir: out, statePath, groupSize: Number(group), loraRank: s.loraRank });
const log = run.logPath;
const code = await runCli(run.argv, commands, { out: () => {}, err: (l) => console.error(l) });
console.log(`exit ${code}; RL step ${Date.now() - t2} ms, ${cpu()}`);
const row = readJsonl(join(log, "metrics.jsonl"))[0] ?? {};
const pick = Object.entries(row).filter(([k]) =>
  /env\/all\/(num_tool|tool_call|turns|correct|reward)/.test(k),
);
console.log(JSON.stringify(Object.fromEntries(pick)));
