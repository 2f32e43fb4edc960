// The engine's own test files, run without vitest (tools/gpu/vitest-shim.ts stands in for it) so that
// tools/gpu/check.sh can run them on the GPU machine: bundled into one file by tools/gpu/prepare.sh.
// CRUCIBLE_DEVICE picks the device the tests' engines use (cuda on the GPU machine, cpu for the CPU build check).
import "../../packages/tinker-local/src/engine/native.test.ts";
import "../../packages/tinker-local/src/engine/device.test.ts";
import "../../packages/tinker-local/src/engine/memory.test.ts";
import "../../packages/tinker-local/src/engine/losses.test.ts";
import "../../packages/tinker-local/src/engine/engine.test.ts";
import "../../packages/tinker-local/src/engine/sampler.test.ts";
import "../../packages/tinker-local/src/transport/in-process.test.ts";
import { run } from "./vitest-shim.js";

const filter = process.env.TEST_FILTER ? new RegExp(process.env.TEST_FILTER) : undefined;
const r = await run(filter);
console.log(
  `engine tests (CRUCIBLE_DEVICE=${process.env.CRUCIBLE_DEVICE ?? "default"}): ${r.passed} passed, ${r.failed} failed`,
);
process.exitCode = r.failed > 0 ? 1 : 0;
