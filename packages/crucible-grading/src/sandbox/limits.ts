// Resource limits of one sandboxed run, with defaults sized for grading short candidate programs.

export interface SandboxLimits {
  /** CPU seconds (RLIMIT_CPU; the kernel sends SIGXCPU, then SIGKILL). Whole seconds, ≥ 1. */
  cpuSeconds: number;
  /** Wall-clock limit in milliseconds; the whole sandbox is killed when it passes. */
  wallMs: number;
  /** Address-space limit in bytes (RLIMIT_AS). */
  memoryBytes: number;
  /** stdout + stderr bytes kept; more ends the run with status `output_limit`. */
  outputBytes: number;
  /** Size of the private writable /tmp (a tmpfs) and of any one file written (RLIMIT_FSIZE). */
  diskBytes: number;
  /** Processes and threads inside the sandbox (RLIMIT_NPROC, counted in its own user namespace). */
  processes: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  cpuSeconds: 5,
  wallMs: 10_000,
  memoryBytes: 512 * 1024 * 1024,
  outputBytes: 1024 * 1024,
  diskBytes: 16 * 1024 * 1024,
  processes: 32,
});

export class SandboxConfigError extends Error {
  override readonly name = "SandboxConfigError";
}

/** Defaults overlaid with `over`; every field must be a positive finite number. */
export function resolveLimits(over: Partial<SandboxLimits> = {}): SandboxLimits {
  const l: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...over };
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      throw new SandboxConfigError(`sandbox limit ${k} must be a positive number (got ${String(v)})`);
  }
  l.cpuSeconds = Math.max(1, Math.ceil(l.cpuSeconds));
  return l;
}
