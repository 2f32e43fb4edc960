// Code grading: a candidate Python program and its tests run together in one sandbox; the program passes when
// the process exits 0 within the limits (HumanEval's `check(entry_point)`, MBPP's assert lines).
import type { SandboxLimits } from "./limits.js";
import { runSandboxed, type SandboxResult, type SandboxStatus } from "./sandbox.js";

/** Debian's interpreter (the `python3` first on PATH may live outside /usr, which the sandbox cannot see). */
export const SANDBOX_PYTHON = "/usr/bin/python3";

export interface PythonTestRun {
  passed: boolean;
  status: SandboxStatus;
  /** The last lines of stderr (the failing assert or the exception), for transcripts. */
  detail: string;
  wallMs: number;
  result: SandboxResult;
}

export interface PythonTestOptions {
  limits?: Partial<SandboxLimits>;
  stdin?: string;
}

/** Runs `program` followed by `tests` as one script; passed = exit code 0 within every limit. */
export async function runPythonTests(
  program: string,
  tests: string,
  opts: PythonTestOptions = {},
): Promise<PythonTestRun> {
  const script = `${program}\n\n${tests}\n`;
  const result = await runSandboxed({
    command: [SANDBOX_PYTHON, "-I", "/sandbox/main.py"],
    files: { "main.py": script },
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const detail = result.stderr.trim().split("\n").slice(-5).join("\n");
  return { passed: result.status === "ok", status: result.status, detail, wallMs: result.wallMs, result };
}
