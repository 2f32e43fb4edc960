// A registry writer process for the concurrency and kill -9 tests: registers `count` checkpoints (and an eval
// result for each), printing "committed <i>" after each write has returned.
import { ModelRegistry } from "./registry.js";

const [file, tag, countArg] = process.argv.slice(2);
const reg = ModelRegistry.open(file!);
const count = Number(countArg);
for (let i = 0; i < count; i++) {
  const path = `tinker://${tag}/sampler_weights/${String(i).padStart(6, "0")}`;
  reg.registerCheckpoint({
    path,
    baseModel: "crucible/tiny-bytes",
    loraRank: 32,
    recipe: "sl_basic",
    step: i,
  });
  reg.recordEval({ model: path, task: "arithmetic", metrics: { accuracy: i / count, stderr: 0.01 } });
  process.stdout.write(`committed ${i}\n`);
}
reg.close();
