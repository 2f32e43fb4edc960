import type { CliIO } from "./app.js";
import { ConfigError } from "./errors.js";

/** Publishing waits on @crucible/hub's upload support; until then the verb says so plainly. */
export async function publishCommand(
  _dir: string,
  _repo: string,
  _opts: Record<string, unknown>,
  _io: CliIO,
): Promise<number> {
  throw new ConfigError("weights publish is not available in this build yet (needs @crucible/hub uploads)");
}
