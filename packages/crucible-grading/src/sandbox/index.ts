export {
  DEFAULT_SANDBOX_LIMITS,
  resolveLimits,
  SandboxConfigError,
  type SandboxLimits,
} from "./limits.js";
export { type PythonTestOptions, type PythonTestRun, runPythonTests, SANDBOX_PYTHON } from "./python.js";
export {
  runSandboxed,
  type SandboxResult,
  type SandboxRunOptions,
  type SandboxStatus,
  SandboxUnavailableError,
  sandboxAvailability,
} from "./sandbox.js";
