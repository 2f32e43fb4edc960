// `crucible dashboard <log_dir>… [--port N]`: serve the dashboard until interrupted.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { logRoot } from "../common/registry-hook.js";
import { startDashboard } from "../dashboard/server.js";
import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";

export const DEFAULT_DASHBOARD_PORT = 8080;
const USAGE = "usage: crucible dashboard <log_dir>... [--port N]";

export interface DashboardArgs {
  dirs: string[];
  port: number;
  /** The user named the port: a taken port is then an error, not a reason to pick another. */
  portGiven: boolean;
}

/** `--port N` and `--port=N` both work; anything else starting with "-" is a user error. */
export function parseDashboardArgs(argv: readonly string[]): DashboardArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: { port: { type: "string" } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: { port: { type: "string" } }, allowPositionals: true });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.split("\n")[0]} (${USAGE})`);
  }
  const given = parsed.values.port;
  const port = given === undefined ? DEFAULT_DASHBOARD_PORT : Number(given);
  if (!/^\d+$/.test(given ?? "0") || !Number.isInteger(port) || port > 65535)
    throw new ConfigError(`--port: expected 0-65535, got '${given}'`);
  if (parsed.positionals.length === 0) throw new ConfigError(USAGE);
  return { dirs: parsed.positionals, port, portGiven: given !== undefined };
}

export async function dashboardCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { dirs, port, portGiven } = parseDashboardArgs(argv);
  const missing = dirs.filter((d) => !existsSync(d));
  if (missing.length) throw new ConfigError(`log dir not found: ${missing.join(", ")}`);
  let dash: Awaited<ReturnType<typeof startDashboard>>;
  try {
    // The models × benchmarks table reads the registry under the log root ($CRUCIBLE_LOG_ROOT).
    const { registryPath } = await import("@crucible/eval");
    const registryFile = registryPath(logRoot());
    dash = await startDashboard({ logDirs: dirs, port, fallbackToFreePort: !portGiven, registryFile });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new ConfigError(
        `--port ${port}: the port is in use; pick another, or omit --port for a free one`,
      );
    throw e;
  }
  if (dash.portTaken !== undefined)
    io.out(`dashboard: port ${dash.portTaken} is in use; using port ${dash.port}`);
  io.out(`dashboard: ${dash.url} (${dirs.length} run(s); Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => {
      void dash.close().then(done);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
