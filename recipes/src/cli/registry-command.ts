// `crucible registry list|show|compare|promote|archive …`: the model registry under the log root
// ($CRUCIBLE_LOG_ROOT or /tmp/tinker-examples; `--log-root=DIR` overrides).
import { existsSync } from "node:fs";
import { logRoot } from "../common/registry-hook.js";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";

const USAGE =
  "usage: crucible registry list [--status=candidate|promoted|archived] | show <path> | compare [<model>...] [--metric=accuracy] | promote <path> | archive <path> [--log-root=DIR]";

export async function registryCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const opts = new Map<string, string>();
  const args: string[] = [];
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (m) opts.set(m[1]!, m[2]!);
    else if (a === "--help" || a === "-h") {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith("--")) throw new ConfigError(`unknown option '${a}'; ${USAGE}`);
    else args.push(a);
  }
  for (const k of opts.keys())
    if (!["log-root", "status", "metric"].includes(k))
      throw new ConfigError(`unknown option '--${k}'; ${USAGE}`);
  const [sub, ...rest] = args;
  const root = opts.get("log-root") ?? logRoot();
  const ev = await import("@crucible/eval");
  const file = ev.registryPath(root);
  if (!existsSync(file)) throw new ConfigError(`no registry at ${file} (runs under the log root create it)`);
  const reg = ev.ModelRegistry.open(file);
  try {
    switch (sub) {
      case "list": {
        const status = opts.get("status");
        if (status !== undefined && !(ev.CHECKPOINT_STATUSES as readonly string[]).includes(status))
          throw new ConfigError(`--status=${status}: expected one of ${ev.CHECKPOINT_STATUSES.join(", ")}`);
        for (const c of reg.list(status ? { status: status as never } : {}))
          io.out(
            `${c.status.padEnd(9)}  ${c.path}  ${c.baseModel}  rank ${c.loraRank ?? "-"}  ${c.recipe ?? "-"}  step ${c.step ?? "-"}`,
          );
        return 0;
      }
      case "show": {
        const path = rest[0];
        if (!path) throw new ConfigError(USAGE);
        const c = reg.get(path);
        const evals = reg.evals(path);
        if (!c && evals.length === 0) throw new ConfigError(`${path}: not in the registry`);
        if (c) io.out(JSON.stringify(c, null, 2));
        for (const e of evals)
          io.out(`${e.createdAt}  ${e.task}/${e.metric} = ${e.value}${e.logFile ? `  (${e.logFile})` : ""}`);
        return 0;
      }
      case "compare": {
        const models = rest.length ? rest : reg.evaluatedModels();
        if (models.length === 0)
          throw new ConfigError("no eval results in the registry yet (crucible eval …)");
        io.out(ev.compareTable(reg, models, opts.get("metric") ?? "accuracy"));
        return 0;
      }
      case "promote":
      case "archive": {
        const path = rest[0];
        if (!path) throw new ConfigError(USAGE);
        try {
          reg.setStatus(path, sub === "promote" ? "promoted" : "archived");
        } catch (e) {
          if (e instanceof ev.RegistryError) throw new ConfigError(e.message);
          throw e;
        }
        io.out(`${path}: ${sub === "promote" ? "promoted" : "archived"}`);
        return 0;
      }
      default:
        throw new ConfigError(USAGE);
    }
  } finally {
    reg.close();
  }
}
