import { homedir } from "node:os";
import { join } from "node:path";
import type { Transport } from "@crucible/tinker-client";
import type { Engine } from "../engine/types.js";
import type { ServerLimits } from "../server/context.js";
import { createTinkerHandler } from "../server/handler.js";
import { startLocalServer } from "../server/http.js";
import { createInProcessTransport } from "./in-process.js";

export interface LocalBackendOptions {
  /** Default `$CRUCIBLE_LOCAL_DIR` or `~/.crucible/tinker-local`. */
  checkpointDir?: string;
  /** true (default): no sockets, the client calls the handler directly. false: a loopback HTTP server. */
  inProcess?: boolean;
  engine?: Engine;
  models?: string[];
  limits?: Partial<ServerLimits>;
  /** Device of the engine created when none is given: "cpu" | "cuda" | "cuda:N" (default: see createEngine). */
  device?: string;
}

/** Options to spread into `new ServiceClient(...)`: a transport (in-process) or a base URL (HTTP). */
export type LocalClientOptions = { transport: Transport } | { baseUrl: string; apiKey: string };

export interface LocalBackend {
  transport?: Transport;
  baseUrl?: string;
  clientOptions: LocalClientOptions;
  close(): Promise<void>;
}

export function defaultCheckpointDir(): string {
  return process.env["CRUCIBLE_LOCAL_DIR"] || join(homedir(), ".crucible", "tinker-local");
}

async function defaultEngine(device?: string): Promise<Engine> {
  const { createEngine } = await import("../engine/index.js");
  return createEngine(device ? { device } : {});
}

/** The embedded backend recipes use: `new ServiceClient(backend.clientOptions)` then train as against Tinker. */
export async function createLocalBackend(options: LocalBackendOptions = {}): Promise<LocalBackend> {
  const checkpointDir = options.checkpointDir ?? defaultCheckpointDir();
  if (options.inProcess === false) {
    const server = await startLocalServer({
      checkpointDir,
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.device ? { device: options.device } : {}),
    });
    return {
      baseUrl: server.url,
      clientOptions: { baseUrl: server.url, apiKey: "tml-local" },
      close: () => server.close(),
    };
  }
  const ownEngine = options.engine === undefined;
  const engine = options.engine ?? (await defaultEngine(options.device));
  const handler = await createTinkerHandler({
    engine,
    checkpointDir,
    ...(options.models ? { models: options.models } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const transport = createInProcessTransport(handler, { ownsHandler: true });
  return {
    transport,
    clientOptions: { transport },
    async close() {
      await transport.close?.();
      if (ownEngine) await engine.close();
    },
  };
}
