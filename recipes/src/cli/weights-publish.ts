import { publishToHub } from "@crucible/weights";
import type { CliIO } from "./app.js";

/** `crucible weights publish <dir> <repo-id>`: upload with a generated model card (HF_ENDPOINT / HF_TOKEN honoured). */
export async function publishCommand(
  dir: string,
  repoId: string,
  opts: { "log-dir"?: string; recipe?: string; private?: boolean; token?: string },
  io: CliIO,
): Promise<number> {
  const r = await publishToHub({
    dir,
    repoId,
    ...(opts["log-dir"] ? { logDir: opts["log-dir"] } : {}),
    ...(opts.recipe ? { recipe: opts.recipe } : {}),
    ...(opts.private !== undefined ? { private: opts.private } : {}),
    ...(opts.token ? { settings: { token: opts.token } } : {}),
  });
  io.out(`published ${dir} → ${r.url} (commit ${r.commit}): ${r.files.join(", ")}`);
  return 0;
}
