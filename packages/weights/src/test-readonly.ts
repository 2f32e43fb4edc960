import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Makes `dir` unwritable, also for root (chmod alone does not stop root: `chattr +i` does on ext4). Returns an
 * undo function, or undefined when this machine cannot make it read-only (the caller then skips).
 */
export function makeReadOnly(dir: string): (() => void) | undefined {
  chmodSync(dir, 0o555);
  let immutable = false;
  if (process.getuid?.() === 0) {
    try {
      execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
      immutable = true;
    } catch {
      // not supported here
    }
  }
  const undo = () => {
    if (immutable) execFileSync("chattr", ["-i", dir], { stdio: "ignore" });
    chmodSync(dir, 0o755);
  };
  try {
    mkdirSync(join(dir, ".probe"));
    rmdirSync(join(dir, ".probe"));
    undo();
    return undefined;
  } catch {
    return undo;
  }
}
