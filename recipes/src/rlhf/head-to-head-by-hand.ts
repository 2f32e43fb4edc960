// By-hand measurement (no test runs it): rlVersusSftWinRate of a finished local rlhf run on tiny-bytes, over the
// distinct prompts of the bundled comparisons.
//   CRUCIBLE_LOCAL_DIR=<the run's store> pnpm exec tsx src/rlhf/head-to-head-by-hand.ts <log_path> [max_tokens]
import { openBackend } from "../common/backend.js";
import { rendererFor } from "../math_rl/run.js";
import { rlVersusSftWinRate } from "./head-to-head.js";
import { bundledComparisonPrompts } from "./warm-start-data.js";

const [logPath, maxTokens = "40"] = process.argv.slice(2);
if (!logPath) throw new Error("usage: head-to-head-by-hand.ts <log_path> [max_tokens]");
const session = await openBackend("local", null, ["crucible/tiny-bytes"]);
try {
  const r = await rlVersusSftWinRate({
    service: session.service,
    renderer: await rendererFor("crucible/tiny-bytes", "role_colon"),
    logPath,
    prompts: bundledComparisonPrompts(),
    answersPerPrompt: 8,
    maxTokens: Number(maxTokens),
  });
  console.log(`head-to-head vs SFT answers: sft ${r.sft.toFixed(3)} rl ${r.rl.toFixed(3)}`);
} finally {
  await session.close();
}
