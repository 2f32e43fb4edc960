import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TransportRequest } from "@crucible/tinker-client";
import type { Engine } from "../engine/types.js";
import { ApiKeyAuth, isKeylessPath } from "./auth.js";
import type { ServerLimits } from "./context.js";
import { createTinkerHandler, type TinkerHandler } from "./handler.js";

export interface LocalServerOptions {
  /** Default 127.0.0.1: the server trusts its clients with the machine's compute, so it is not exposed by default. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default: `createEngine()` from this package (closed with the server). */
  engine?: Engine;
  checkpointDir: string;
  /** When set, every request (except healthz) must carry one of these in `X-API-Key`. */
  apiKeys?: string[];
  /** With several keys: let every key see every run (default false: a run belongs to the key that made it). */
  sharedKeys?: boolean;
  /** Request body limit in bytes (default 64 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  models?: string[];
  engineConcurrency?: number;
  limits?: Partial<ServerLimits>;
  /** Device of the engine created when none is given: "cpu" | "cuda" | "cuda:N" (default: see createEngine). */
  device?: string;
}

export interface LocalServer {
  /** Base URL for clients (`TINKER_BASE_URL`), e.g. `http://127.0.0.1:8000`. */
  url: string;
  handler: TinkerHandler;
  close(): Promise<void>;
}

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Uint8Array): void {
  res.writeHead(status, { ...headers, "content-length": String(body.byteLength) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, { "content-type": "application/json" }, new TextEncoder().encode(JSON.stringify(body)));
}

/** Reads the body, or answers 413 and returns undefined when it exceeds `limit`. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      sendJson(res, 413, {
        detail: `request body of ${declared} bytes exceeds the server limit of ${limit} bytes`,
      });
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        sendJson(res, 413, { detail: `request body exceeds the server limit of ${limit} bytes` });
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

async function defaultEngine(device?: string): Promise<Engine> {
  const { createEngine } = await import("../engine/index.js");
  return createEngine(device ? { device } : {});
}

/** Starts the Tinker-protocol HTTP server on node:http. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const ownEngine = options.engine === undefined;
  const engine = options.engine ?? (await defaultEngine(options.device));
  const handler = await createTinkerHandler({
    engine,
    checkpointDir: options.checkpointDir,
    ...(options.models ? { models: options.models } : {}),
    ...(options.engineConcurrency ? { engineConcurrency: options.engineConcurrency } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const auth = new ApiKeyAuth(options.apiKeys ?? [], { shared: options.sharedKeys ?? false });
  const limit = options.maxBodyBytes ?? 64 * 1024 * 1024;

  const server = createServer(async (req, res) => {
    try {
      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      if (!METHODS.has(method)) return sendJson(res, 405, { detail: `method ${method} not allowed` });
      let principal: string | undefined;
      if (!isKeylessPath(path)) {
        const key = req.headers["x-api-key"];
        const who = auth.check(typeof key === "string" ? key : undefined);
        if (!who.ok) return sendJson(res, 401, { detail: "invalid or missing X-API-Key for this server" });
        principal = who.principal;
      }
      const body = await readBody(req, res, limit);
      if (body === undefined) return;
      // A client that hangs up ends its long-poll instead of leaving it parked.
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      const request: TransportRequest = {
        method: method as TransportRequest["method"],
        path,
        headers,
        body,
        signal: abort.signal,
      };
      const out = await handler.handle(request, principal);
      if (!res.writableEnded && !res.destroyed) send(res, out.status, out.headers, out.body);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { detail: `internal error: ${(err as Error).message}` });
    }
  });
  // Long polls hold requests ~20 s; keep idle sockets a little longer than the SDK's keep-alive.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    handler,
    async close() {
      await handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownEngine) await engine.close();
    },
  };
}
