// `crucible dashboard`: a small HTTP server on 127.0.0.1 serving a static page, uPlot from node_modules
// (no build step, works offline) and a JSON API the page polls for new metrics lines.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { modelsView } from "./models.js";
import { describeRuns, readMetricsFrom } from "./runs.js";

export interface DashboardOptions {
  logDirs: string[];
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When `port` is taken, serve on a free port instead of failing (the CLI's default port). */
  fallbackToFreePort?: boolean;
  /** The model registry (registry.sqlite) whose models × benchmarks table the page shows; null = none. */
  registryFile?: string | null;
}

export interface Dashboard {
  url: string;
  port: number;
  /** The requested port when it was taken and a free one was used instead. */
  portTaken?: number;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
};

/**
 * The page's static files: beside this module in source (src/dashboard/static), or dist/static in the built
 * package (tsup copies them there; the bundled module is dist/*.js or dist/cli/main.*).
 */
export function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "static"), join(here, "..", "static")];
  const found = candidates.find((c) => existsSync(join(c, "index.html")));
  if (!found) throw new Error(`dashboard static files not found (looked in ${candidates.join(", ")})`);
  return found;
}

const STATIC_FILES = new Set(["/app.js", "/metrics.js", "/models.js", "/style.css"]);

function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("uplot/package.json"));
  return {
    "/vendor/uPlot.iife.min.js": join(pkgDir, "dist", "uPlot.iife.min.js"),
    "/vendor/uPlot.min.css": join(pkgDir, "dist", "uPlot.min.css"),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = "text/plain; charset=utf-8",
) {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

function sendFile(res: ServerResponse, file: string) {
  if (!existsSync(file) || !statSync(file).isFile()) return send(res, 404, "not found");
  send(res, 200, readFileSync(file), MIME[extname(file)] ?? "application/octet-stream");
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const dirs = opts.logDirs.map((d) => resolve(d));
  const root = staticDir();
  const vendor = vendorFiles();
  // Eval logs and transcripts the registry names (filled as /api/models answers); the only files /registry serves.
  const registryFiles = new Set<string>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const p = decodeURIComponent(url.pathname);
    if (p === "/" || p === "/index.html") return sendFile(res, join(root, "index.html"));
    if (STATIC_FILES.has(p)) return sendFile(res, join(root, p.slice(1)));
    if (vendor[p]) return sendFile(res, vendor[p]!);
    if (p === "/api/runs") return send(res, 200, JSON.stringify(describeRuns(dirs)), MIME[".json"]);
    if (p === "/api/models") {
      modelsView(opts.registryFile ?? null, registryFiles).then(
        (v) => send(res, 200, JSON.stringify(v), MIME[".json"]),
        (e: unknown) => send(res, 500, String(e)),
      );
      return;
    }
    if (p === "/registry/file") {
      const file = url.searchParams.get("path") ?? "";
      if (!registryFiles.has(file)) return send(res, 403, "not an eval file of the registry");
      return sendFile(res, file);
    }
    const m = /^\/api\/runs\/(\d+)\/metrics$/.exec(p);
    if (m) {
      const dir = dirs[Number(m[1])];
      if (!dir) return send(res, 404, "no such run");
      const offset = Number(url.searchParams.get("offset") ?? "0");
      return send(
        res,
        200,
        JSON.stringify(readMetricsFrom(dir, Number.isFinite(offset) ? offset : 0)),
        MIME[".json"],
      );
    }
    const f = /^\/files\/(\d+)\/(.+)$/.exec(p);
    if (f) {
      const dir = dirs[Number(f[1])];
      if (!dir) return send(res, 404, "no such run");
      const file = resolve(dir, f[2]!);
      // Only files inside the run directory are served.
      if (!file.startsWith(dir + sep)) return send(res, 403, "outside the run directory");
      return sendFile(res, file);
    }
    send(res, 404, "not found");
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      send(res, 500, String(e));
    }
  });
  const host = opts.host ?? "127.0.0.1";
  const listen = (port: number) =>
    new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(port, host, () => {
        server.off("error", fail);
        ok();
      });
    });
  let portTaken: number | undefined;
  try {
    await listen(opts.port ?? 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || !opts.fallbackToFreePort) throw e;
    portTaken = opts.port;
    await listen(0);
  }
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}/`,
    port: addr.port,
    ...(portTaken === undefined ? {} : { portTaken }),
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
