// Runs an untrusted program in a throw-away sandbox: Debian's bubblewrap gives it fresh user, pid, network,
// ipc and uts namespaces (no network at all), a read-only /usr, a private size-limited tmpfs /tmp as its only
// writable place and its input files read-only under /sandbox; nothing else of the host is visible. prlimit
// inside the sandbox caps CPU time, address space, file size and process count (the count is per user
// namespace, so it covers only this sandbox). The parent enforces wall time and output size by killing the
// whole sandbox. When we run as root, the sandbox starts under a fresh unprivileged uid, since root is exempt
// from the process limit.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { resolveLimits, type SandboxLimits } from "./limits.js";

export type SandboxStatus =
  | "ok" // exit code 0
  | "nonzero_exit" // the program failed on its own (an exception, a failed assert, exit(1))
  | "wall_timeout"
  | "cpu_timeout"
  | "memory" // address-space limit hit (MemoryError or an allocation abort)
  | "output_limit"
  | "signal"; // killed by another signal

export interface SandboxRunOptions {
  /** argv; the program path is looked up inside the sandbox (e.g. ["/usr/bin/python3", "main.py"]). */
  command: readonly string[];
  /** Files placed read-only under /sandbox (relative paths → contents); the working directory is /tmp. */
  files?: Readonly<Record<string, string>>;
  stdin?: string;
  limits?: Partial<SandboxLimits>;
}

export interface SandboxResult {
  status: SandboxStatus;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  limits: SandboxLimits;
}

export class SandboxUnavailableError extends Error {
  override readonly name = "SandboxUnavailableError";
}

const BWRAP = "/usr/bin/bwrap";
/**
 * Where the per-run input directories live: /tmp itself, since the sandbox's unprivileged uid must be able to
 * reach them and $TMPDIR may be a private (0700) directory (test runners make one per run).
 */
export const SANDBOX_HOST_TMP = existsSync("/tmp") ? "/tmp" : tmpdir();
const SIGXCPU = 24;
const SIGKILL = 9;

let probe: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether sandboxes can start here (bubblewrap installed and namespaces allowed); probed once. */
export function sandboxAvailability(): { ok: true } | { ok: false; reason: string } {
  if (probe) return probe;
  const r = spawnSync(
    launcher()[0]!,
    [...launcher().slice(1), ...bwrapArgs("/nonexistent-probe", 1 << 20), "/usr/bin/true"],
    {
      encoding: "utf8",
      timeout: 10_000,
    },
  );
  probe =
    r.status === 0
      ? { ok: true }
      : {
          ok: false,
          reason:
            r.error?.message.includes("ENOENT") || (r.stderr ?? "").includes("No such file")
              ? `bubblewrap not found at ${BWRAP}: install it (Debian: apt-get install bubblewrap; tools/scripts/bootstrap.sh does)`
              : `bubblewrap cannot create namespaces here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
        };
  return probe;
}

function launcher(): string[] {
  if (process.getuid?.() !== 0) return [BWRAP];
  // A fresh uid per sandbox (no passwd entry needed): root would bypass RLIMIT_NPROC.
  const uid = 200_000 + Math.floor(Math.random() * 60_000);
  return ["/usr/bin/setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", BWRAP];
}

function bwrapArgs(hostDir: string, diskBytes: number): string[] {
  return [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--ro-bind-try",
    hostDir,
    "/sandbox",
    "--size",
    String(diskBytes),
    "--tmpfs",
    "/tmp",
    "--chdir",
    "/tmp",
  ];
}

function checkRelative(path: string): string {
  const n = normalize(path);
  if (n.startsWith("..") || n.startsWith("/") || n === ".")
    throw new SandboxUnavailableError(`sandbox file name '${path}' must be a relative path inside /sandbox`);
  return n;
}

/** Runs `command` in a fresh sandbox; resolves (never rejects) once the sandbox is gone. */
export async function runSandboxed(opts: SandboxRunOptions): Promise<SandboxResult> {
  const limits = resolveLimits(opts.limits);
  const avail = sandboxAvailability();
  if (!avail.ok) throw new SandboxUnavailableError(avail.reason);
  if (opts.command.length === 0) throw new SandboxUnavailableError("sandbox command is empty");
  // The pid in the name tells which process a directory belongs to (/tmp is shared by every run on the machine).
  const hostDir = mkdtempSync(join(SANDBOX_HOST_TMP, `crucible-sandbox-${process.pid}-`));
  try {
    chmodSync(hostDir, 0o755); // the sandbox uid only reads it (mounted read-only)
    for (const [name, text] of Object.entries(opts.files ?? {})) {
      const p = join(hostDir, checkRelative(name));
      mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
      writeFileSync(p, text, { mode: 0o644 });
    }
    const [cmd, ...argv] = launcher();
    const inner = [
      "/usr/bin/prlimit",
      `--cpu=${limits.cpuSeconds}`,
      `--as=${limits.memoryBytes}`,
      `--fsize=${limits.diskBytes}`,
      `--nproc=${limits.processes}`,
      "--core=0",
      "--",
      ...opts.command,
    ];
    return await execute(
      cmd!,
      [...argv, ...bwrapArgs(hostDir, limits.diskBytes), ...inner],
      opts.stdin,
      limits,
    );
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
  }
}

function execute(
  cmd: string,
  args: string[],
  stdin: string | undefined,
  limits: SandboxLimits,
): Promise<SandboxResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      env: { PATH: "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true, // its own process group, so a kill reaches bwrap and everything it started
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    let killedFor: SandboxStatus | null = null;
    const kill = (why: SandboxStatus) => {
      if (killedFor) return;
      killedFor = why;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const collect = (into: Buffer[]) => (b: Buffer) => {
      const room = limits.outputBytes - kept;
      if (room <= 0) return kill("output_limit");
      into.push(b.length > room ? b.subarray(0, room) : b);
      kept += Math.min(room, b.length);
      if (b.length > room) kill("output_limit");
    };
    child.stdout.on("data", collect(out));
    child.stderr.on("data", collect(err));
    child.stdin.on("error", () => {}); // the program may exit without reading its input
    child.stdin.end(stdin ?? "");
    const timer = setTimeout(() => kill("wall_timeout"), limits.wallMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      resolve({
        status: killedFor ?? classify(code, signal, stderr),
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr,
        wallMs: performance.now() - started,
        limits,
      });
    });
  });
}

/** bwrap exits with 128 + n when its child dies of signal n. */
function classify(code: number | null, signal: NodeJS.Signals | null, stderr: string): SandboxStatus {
  if (code === 0) return "ok";
  if (code === 128 + SIGXCPU || signal === "SIGXCPU") return "cpu_timeout";
  if (/\bMemoryError\b|Cannot allocate memory|std::bad_alloc|out of memory/.test(stderr)) return "memory";
  if (code === 128 + SIGKILL) return "cpu_timeout"; // RLIMIT_CPU's hard limit ends in SIGKILL
  if (signal !== null || (code !== null && code > 128)) return "signal";
  return "nonzero_exit";
}
