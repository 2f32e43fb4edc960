// The score change the eval issue asks for, as accuracy: `evaluate()` of an arithmetic Task on crucible/tiny-bytes
// before and after a short SFT (the demo's chat_sl on "What is x + y?" conversations) over the narrow operand
// range [0, 3)², which the SFT covers. Before, the random model answers nothing right; after 100 steps of 16
// conversations it answers most of the 9 sums (the best constant answer, "2", gets 3 of 9). Both eval logs
// validate against Inspect's EvalLog schema. Measurements: tools/bench/rl/README.md (sft-eval-rise).
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { arithmeticTask, evaluate, validateEvalLog } from "@crucible/eval";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { afterAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { tokenizerNameFor } from "../common/resolve.js";
import { writeSftData } from "../demo/arithmetic-data.js";
import { crucible, e2eDir } from "../testing/e2e.js";

const MODEL = "crucible/tiny-bytes";
const MAX_OPERAND = 3;
const STEPS = 100;
const BATCH = 16;

describe("evaluate() before and after SFT (tiny-bytes, arithmetic over [0, 3)²)", () => {
  const dir = e2eDir("eval-sft-accuracy");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the accuracy rises by more than 0.5 and both logs validate", { timeout: 300_000 }, async () => {
    const task = arithmeticTask({
      maxOperand: MAX_OPERAND,
      count: MAX_OPERAND * MAX_OPERAND,
      fewshot: false,
      maxTokens: 4,
    });
    const renderer = getRenderer("role_colon", await getTokenizer(tokenizerNameFor(MODEL)));
    const evalOn = async (label: string, where: { baseModel: string } | { modelPath: string }) => {
      const session = await openBackend("local", null, [MODEL]);
      try {
        const samplingClient = await session.service.createSamplingClient(where);
        const modelName = "modelPath" in where ? where.modelPath : where.baseModel;
        return await evaluate(task, { samplingClient, renderer, modelName, logDir: join(dir, label) });
      } finally {
        await session.close();
      }
    };
    const before = await evalOn("before", { baseModel: MODEL });

    const data = join(dir, "sft.jsonl");
    writeSftData(data, STEPS * BATCH, MAX_OPERAND, new Set());
    const t0 = performance.now();
    const sft = await crucible([
      "run",
      "chat_sl",
      "backend=local",
      `model_name=${MODEL}`,
      "renderer_name=role_colon",
      `dataset=${data}`,
      "test_size=0",
      `batch_size=${BATCH}`,
      "learning_rate=3e-3",
      "lr_schedule=linear",
      "train_on_what=last_assistant_message",
      "lora_rank=32",
      `max_steps=${STEPS}`,
      "eval_every=0",
      "save_every=0",
      `log_path=${join(dir, "sft")}`,
    ]);
    expect(sft.err).toEqual([]);
    const sftSeconds = (performance.now() - t0) / 1000;
    const last = readFileSync(join(dir, "sft", "checkpoints.jsonl"), "utf8")
      .trim()
      .split("\n")
      .at(-1)!;
    const sampler = (JSON.parse(last) as { sampler_path: string }).sampler_path;
    const after = await evalOn("after", { modelPath: sampler });

    for (const r of [before, after]) {
      expect(validateEvalLog(JSON.parse(readFileSync(r.logFile, "utf8")))).toEqual({
        valid: true,
        errors: [],
      });
      expect(r.log.results?.total_samples).toBe(9);
    }
    expect(after.log.eval.model).toBe(sampler);
    const [b, a] = [before.metrics["accuracy"]!, after.metrics["accuracy"]!];
    console.log(
      `[eval e2e] arithmetic [0,${MAX_OPERAND})² accuracy before SFT ${b.toFixed(3)}, after ${STEPS} SFT steps ${a.toFixed(3)} (SFT ${sftSeconds.toFixed(0)} s)`,
    );
    // Measured after − before: 0.78–1.0 (README); 0.5 also clears the best constant answer (0.33).
    expect(a - b).toBeGreaterThan(0.5);
  });
});
