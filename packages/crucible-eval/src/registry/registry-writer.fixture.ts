// A registry writer process for the concurrency and kill -9 tests: registers `count` checkpoints (and an eval
// result for each), printing "committed <i>" after each write has returned. Even writes register the checkpoint and
// its eval separately (as a finished run and `crucible eval` do), odd ones together (as an inline eval does).
import { ModelRegistry } from "./registry.js";

const [file, tag, countArg] = process.argv.slice(2);
const reg = ModelRegistry.open(file!);
const count = Number(countArg);
for (let i = 0; i < count; i++) {
  const path = `tinker://${tag}/sampler_weights/${String(i).padStart(6, "0")}`;
  const checkpoint = { path, baseModel: "crucible/tiny-bytes", loraRank: 32, recipe: "sl_basic", step: i };
  const evalResult = { task: "arithmetic", metrics: { accuracy: i / count, stderr: 0.01 } };
  if (i % 2 === 1) reg.recordCheckpointEval(checkpoint, evalResult);
  else {
    reg.registerCheckpoint(checkpoint);
    reg.recordEval({ ...evalResult, model: path });
  }
  process.stdout.write(`committed ${i}\n`);
}
reg.close();
