import { parseArgs } from "node:util";
import { collectApiKeys } from "../server/auth.js";
import { startLocalServer } from "../server/http.js";
import { defaultCheckpointDir } from "../transport/local-backend.js";

const USAGE = `Usage: crucible-local serve [options]

Serves the Tinker wire protocol on top of the embedded libtorch engine.

Options:
  --port <n>             port (default 8000; 0 = any free port)
  --host <addr>          bind address (default 127.0.0.1)
  --models <a,b,...>     base models to serve (default: the built-in tiny models)
  --checkpoint-dir <dir> where tinker:// checkpoints live (default $CRUCIBLE_LOCAL_DIR or ~/.crucible/tinker-local)
  --api-key <key>        require this X-API-Key (repeatable; default: accept any). Visible in ps: prefer
                         --api-key-file or $CRUCIBLE_LOCAL_API_KEYS (comma-separated)
  --api-key-file <file>  read keys from a file, one per line (# comments)
  --shared-keys          with several keys, every key sees every run (default: a run belongs to the key
                         that created it; other keys get 404)
  --max-body-mb <n>      request body limit in MiB (default 64)
  --device <d>           cpu | cuda | cuda:N (default $CRUCIBLE_DEVICE, else cuda:0 when the engine was built
                         with CUDA and a GPU is visible, else cpu)
  -h, --help             show this help`;

export interface ServeArgs {
  port: number;
  host: string;
  models?: string[];
  checkpointDir: string;
  apiKeys: string[];
  sharedKeys: boolean;
  maxBodyBytes: number;
  device?: string;
}

/** Parses `serve` arguments; throws an Error with a message naming the bad flag. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string", default: "8000" },
      host: { type: "string", default: "127.0.0.1" },
      models: { type: "string" },
      "checkpoint-dir": { type: "string" },
      "api-key": { type: "string", multiple: true },
      "api-key-file": { type: "string" },
      "shared-keys": { type: "boolean" },
      "max-body-mb": { type: "string", default: "64" },
      device: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  if (positionals[0] !== "serve" || positionals.length > 1) {
    throw new Error(
      `expected the command "serve", got ${JSON.stringify(positionals.join(" ") || "(nothing)")}`,
    );
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port number: ${values.port}`);
  const mb = Number(values["max-body-mb"]);
  if (!(mb > 0)) throw new Error(`--max-body-mb: must be a positive number, got ${values["max-body-mb"]}`);
  if (values.device !== undefined && !/^(cpu|cuda(:\d+)?)$/.test(values.device))
    throw new Error(`--device: expected cpu, cuda or cuda:N, got ${JSON.stringify(values.device)}`);
  const models = values.models
    ?.split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  return {
    port,
    host: values.host ?? "127.0.0.1",
    ...(models && models.length > 0 ? { models } : {}),
    checkpointDir: values["checkpoint-dir"] ?? defaultCheckpointDir(),
    apiKeys: collectApiKeys({
      keys: values["api-key"] ?? [],
      ...(values["api-key-file"] !== undefined ? { file: values["api-key-file"] } : {}),
      env: env["CRUCIBLE_LOCAL_API_KEYS"],
    }),
    sharedKeys: values["shared-keys"] ?? false,
    maxBodyBytes: Math.floor(mb * 1024 * 1024),
    ...(values.device !== undefined ? { device: values.device } : {}),
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: ServeArgs | "help";
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    process.stderr.write(`crucible-local: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  try {
    server = await startLocalServer({
      host: args.host,
      port: args.port,
      checkpointDir: args.checkpointDir,
      apiKeys: args.apiKeys,
      sharedKeys: args.sharedKeys,
      maxBodyBytes: args.maxBodyBytes,
      ...(args.models ? { models: args.models } : {}),
      ...(args.device ? { device: args.device } : {}),
    });
  } catch (err) {
    // an unusable --device (no CUDA in this build, no such GPU) is the user's choice: exit 2 with the fix
    if ((err as Error).name !== "DeviceError") throw err;
    process.stderr.write(`crucible-local: ${(err as Error).message}\n`);
    return 2;
  }
  // Load every served model now, so a typo or a broken model directory fails at startup, not at first use.
  const caps = await server.handler.handle({
    method: "GET",
    path: "/api/v1/get_server_capabilities",
    headers: {},
  });
  if (caps.status !== 200) {
    const body = new TextDecoder().decode(caps.body);
    let detail = body;
    try {
      detail = String((JSON.parse(body) as { detail?: unknown }).detail ?? body);
    } catch {}
    process.stderr.write(`crucible-local: cannot load the served models: ${detail}\n`);
    await server.close();
    // A model the user chose that the engine does not run is a usage error (2), not a crash (1).
    return caps.status >= 400 && caps.status < 500 ? 2 : 1;
  }
  process.stdout.write(
    `crucible-local serving the Tinker API at ${server.url}\n` +
      `  device: ${server.handler.device}\n` +
      `  checkpoints: ${args.checkpointDir}\n` +
      `  use it with: TINKER_BASE_URL=${server.url} TINKER_API_KEY=${args.apiKeys.length > 0 ? "<one of your keys>" : "tml-local"}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}

// Run when executed as the bin (not when imported by tests).
if (process.argv[1] && /crucible-local|cli[\\/]main\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // Known startup failures (e.g. EngineUnavailableError with the install command) need no stack trace.
      const e = err as Error;
      const known = e?.name?.endsWith("Error") && e.name !== "Error" && e.name !== "TypeError";
      process.stderr.write(`crucible-local: ${known ? e.message : (e?.stack ?? String(err))}\n`);
      process.exit(1);
    },
  );
}
