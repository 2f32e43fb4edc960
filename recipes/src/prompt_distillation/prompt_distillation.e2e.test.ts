// prompt_distillation end to end on the embedded backend. An untrained tiny model ignores any system prompt, so the
// test first makes a teacher that has a behaviour to pass on: a short chat_sl run on crucible/tiny-bytes with the
// classifier system prompt in every conversation. The recipe then samples that teacher (system prompt in context),
// and fine-tunes the untrained base model on the replies without the prompt. Measured on held-out prompts: the
// student's KL to the prompted teacher, E over teacher-sampled tokens of log p_teacher(· | system, prompt) −
// log p_student(· | prompt), both log-probs from the backend, before (base weights) and after (the run's final
// sampler). It must fall.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { bundledData, CONVERSATIONS_FILE, MULTILINGUAL_FILE } from "../common/data.js";
import { rendererFor } from "../math_rl/run.js";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";
import { readPrompts } from "./create-data.js";
import { promptedTeacherKl } from "./teacher-kl.js";

const MODEL = "crucible/tiny-bytes";
const SYSTEM = "Name the language. Reply: Final Answer: xx";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function finalSampler(log: string): string {
  const last = readJsonl(join(log, "checkpoints.jsonl")).at(-1)!;
  expect(last["name"]).toBe("final");
  return last["sampler_path"] as string;
}

const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

describe("prompt_distillation e2e (local backend, tiny-bytes)", () => {
  it("lowers the student's KL to the prompted teacher on held-out prompts", {
    timeout: 300_000,
  }, async () => {
    const dir = e2eDir("prompt-distill");
    dirs.push(dir);
    // Short sentences of the bundled multilingual prompts (tiny-bytes reads bytes: short keeps the test fast).
    const short = readPrompts(bundledData(MULTILINGUAL_FILE), null).filter((l) => Buffer.byteLength(l) <= 40);
    const teacherPrompts = short.slice(0, 64);
    const distilPrompts = short.slice(64, 96);
    const heldOut = short.slice(200, 206);

    // 1. The teacher: 8 SFT steps on conversations that all carry the system prompt.
    const teacherData = join(dir, "teacher.jsonl");
    const conv = (p: string) => ({
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: p },
        { role: "assistant", content: "Final Answer: ot" },
      ],
    });
    writeFileSync(teacherData, jsonl(teacherPrompts.map(conv)));
    const teacherLog = join(dir, "teacher");
    const t = await crucible([
      ...[
        "run",
        "chat_sl",
        "backend=local",
        `model_name=${MODEL}`,
        `log_path=${teacherLog}`,
        `dataset=${teacherData}`,
      ],
      ...[
        "batch_size=16",
        "num_epochs=2",
        "learning_rate=2e-2",
        "lr_schedule=constant",
        "save_every=0",
        "eval_every=0",
      ],
    ]);
    expect(t.err).toEqual([]);
    const teacherPath = finalSampler(teacherLog);

    // 2. The recipe: teacher data with the system prompt, then SFT of the base model without it.
    const promptsFile = join(dir, "prompts.txt");
    writeFileSync(promptsFile, `${distilPrompts.join("\n")}\n`);
    const log = join(dir, "distill");
    const r = await crucible([
      ...["run", "prompt_distillation", "backend=local", `model_name=${MODEL}`, `log_path=${log}`],
      ...[`teacher_checkpoint=${teacherPath}`, `system_prompt=${SYSTEM}`, `prompts_file=${promptsFile}`],
      ...[
        "temperature=1",
        "max_tokens=12",
        "batch_size=16",
        "num_epochs=2",
        "learning_rate=1e-2",
        "save_every=0",
      ],
    ]);
    expect(r.err).toEqual([]);
    // One conversation per prompt, in order, and the system prompt is not in the student's data.
    const data = readJsonl(join(log, "prompt_distillation_data.jsonl")) as {
      messages: { role: string; content: string }[];
    }[];
    expect(data.map((d) => d.messages.map((m) => m.role))).toEqual(
      distilPrompts.map(() => ["user", "assistant"]),
    );
    expect(data.map((d) => d.messages[0]!.content)).toEqual(distilPrompts);
    const steps = readJsonl(join(log, "metrics.jsonl")).filter((m) => "train_mean_nll" in m);
    expect(steps.map((m) => m["step"])).toEqual([0, 1, 2, 3]); // 32 conversations / 16 per step × 2 epochs

    // 3. KL(prompted teacher ‖ student without the prompt) on held-out prompts, before and after.
    const session = await openBackend("local", null, [MODEL]);
    try {
      const renderer = await rendererFor(MODEL, "role_colon");
      const teacher = await session.service.createSamplingClient({ modelPath: teacherPath });
      const before = await session.service.createSamplingClient({ baseModel: MODEL });
      const after = await session.service.createSamplingClient({ modelPath: finalSampler(log) });
      const o = {
        teacher,
        renderer,
        systemPrompt: SYSTEM,
        prompts: heldOut,
        samplesPerPrompt: 4,
        maxTokens: 12,
        seed: 7,
      };
      const klBefore = await promptedTeacherKl({ ...o, student: before });
      const klAfter = await promptedTeacherKl({ ...o, student: after });
      console.log(
        `prompt_distillation e2e: KL(prompted teacher ‖ student) per token on ${heldOut.length} held-out prompts, ` +
          `${klBefore.tokens} teacher tokens: ${klBefore.klPerToken.toFixed(3)} before → ${klAfter.klPerToken.toFixed(3)} after`,
      );
      expect(klBefore.klPerToken).toBeGreaterThan(0.5); // the teacher has something to pass on
      expect(klAfter.klPerToken).toBeLessThan(klBefore.klPerToken / 2);
    } finally {
      await session.close();
    }
  });

  it("an existing file_path is the data: the teacher is not sampled and the file is left as it was", {
    timeout: 120_000,
  }, async () => {
    const dir = e2eDir("prompt-distill-reuse");
    dirs.push(dir);
    const file = join(dir, "given.jsonl");
    const lines = readFileSync(bundledData(CONVERSATIONS_FILE), "utf8").split("\n").slice(0, 4);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const before = readFileSync(file, "utf8");
    const r = await crucible([
      ...[
        "run",
        "prompt_distillation",
        "backend=local",
        `model_name=${MODEL}`,
        `log_path=${join(dir, "run")}`,
      ],
      ...[`file_path=${file}`, "batch_size=2", "max_steps=1", "max_length=64", "save_every=0"],
    ]);
    expect(r.err).toEqual([]);
    expect(r.out).toContain(`using the existing teacher data ${file}`);
    expect(r.out.some((l) => l.startsWith("teacher "))).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readJsonl(join(dir, "run", "metrics.jsonl")).filter((m) => "train_mean_nll" in m)).toHaveLength(1);
  });
});
