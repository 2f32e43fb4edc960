// The user metadata a training run carries (cookbook: recipe and renderer names, the code revision), so a
// checkpoint says what produced it and which renderer its weights were trained with.
import { execFileSync } from "node:child_process";

/** `git rev-parse HEAD` in `cwd`, or undefined outside a repository (or without git). */
export function gitRevision(cwd: string = process.cwd()): string | undefined {
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    });
    const rev = out.toString().trim();
    return /^[0-9a-f]{40,64}$/.test(rev) ? rev : undefined;
  } catch {
    return undefined;
  }
}

/** `recipe_name`, `renderer_name` and `git_revision`, each only when known. */
export function runMetadata(
  opts: { recipeName?: string | null | undefined; rendererName?: string | null | undefined },
  cwd: string = process.cwd(),
): Record<string, string> {
  const meta: Record<string, string> = {};
  if (opts.recipeName) meta.recipe_name = opts.recipeName;
  if (opts.rendererName) meta.renderer_name = opts.rendererName;
  const rev = gitRevision(cwd);
  if (rev) meta.git_revision = rev;
  return meta;
}
