// math_rl parity: the recipe's arithmetic batches draw the cookbook's problems (legacy MT19937 seeded with
// the batch index), prompts render as role_colon with the 4 + 5 = 9 few-shot prefix, and the loss inputs
// of a group (advantages, mask, logprobs) equal the reference values of spec §A13/§A17.
import { computeAdvantages, type Env, type TrajectoryGroup, trajectoryToData } from "@crucible/env";
import { getTokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { streamMinibatchPlan } from "@crucible/train";
import { describe, expect, it } from "vitest";
import { resolveRecipeConfig } from "../../../src/cli/run-recipe.js";
import { mathRl } from "../../../src/math_rl/config.js";
import { mathRlDatasetBuilder, rendererFor } from "../../../src/math_rl/run.js";
import type { MathRlConfig } from "../../../src/math_rl/schema.js";
import { roleColonExample } from "../role-colon-reference.js";

describe("math_rl parity with the cookbook", () => {
  it("first batches are the reference problems, rendered with the few-shot prefix", async () => {
    const cfg = (await resolveRecipeConfig(mathRl, ["backend=local", "groups_per_batch=5"])) as MathRlConfig;
    expect(cfg).toMatchObject({
      env: "arithmetic",
      group_size: 4,
      max_tokens: 5,
      loss_fn: "importance_sampling",
      learning_rate: 1e-5,
    });
    const renderer = await rendererFor(cfg.model_name!, cfg.renderer_name!);
    const { train, test } = await (await mathRlDatasetBuilder(cfg, renderer))();
    expect(test).toBeNull();
    expect(train.length).toBe(100);
    const questions = async (i: number) =>
      Promise.all(
        train.getBatch(i).map(async (b) => {
          const envs = (await b.makeEnvs()) as (Env & { getQuestion(): string })[];
          expect(envs).toHaveLength(4);
          return envs[0]!.getQuestion();
        }),
      );
    expect(await questions(0)).toEqual([
      "What is 44 + 47?",
      "What is 64 + 67?",
      "What is 67 + 9?",
      "What is 83 + 21?",
      "What is 36 + 87?",
    ]);
    expect(await questions(2)).toEqual([
      "What is 40 + 15?",
      "What is 72 + 22?",
      "What is 43 + 82?",
      "What is 75 + 7?",
      "What is 34 + 49?",
    ]);
    const tok = await getTokenizer("Qwen/Qwen3-8B");
    const env = (await train.getBatch(0)[0]!.makeEnvs())[0]!;
    const init = await env.initialObservation();
    if (init.kind !== "observation") throw new Error("overflow");
    const prompt = roleColonExample(
      tok,
      [
        { role: "user", content: "What is 4 + 5?" },
        { role: "assistant", content: "9" },
        { role: "user", content: "What is 44 + 47?" },
      ],
      "all_assistant_messages",
    ).tokens.concat(tok.encode("Assistant:"));
    expect(ModelInput.toInts(init.observation)).toEqual(prompt);
    expect(init.stopCondition).toEqual(["\n\nUser:"]);
  });

  it("rewards → advantages and datum loss inputs (spec §A13, §A10)", async () => {
    const cfg = (await resolveRecipeConfig(mathRl, ["backend=local", "groups_per_batch=1"])) as MathRlConfig;
    const renderer = await rendererFor(cfg.model_name!, cfg.renderer_name!);
    const tok = await getTokenizer("Qwen/Qwen3-8B");
    const { train } = await (await mathRlDatasetBuilder(cfg, renderer))();
    const envs = await train.getBatch(0)[0]!.makeEnvs(); // 44 + 47 = 91
    const answers = [" 91\n\nUser:", " 90\n\nUser:", " 91", " 12\n\nUser:"];
    const trajs = [];
    for (let g = 0; g < 4; g++) {
      const init = await envs[g]!.initialObservation();
      if (init.kind !== "observation") throw new Error("overflow");
      const tokens = tok.encode(answers[g]!);
      const logprobs = tokens.map((_, i) => -0.5 - 0.25 * i);
      const res = await envs[g]!.step(tokens, { stopReason: "stop" });
      trajs.push({
        transitions: [
          {
            ob: init.observation,
            ac: { tokens, maybeLogprobs: logprobs, stopReason: "stop" as const },
            reward: res.reward,
            episodeDone: true,
            metrics: res.metrics ?? {},
            logs: {},
          },
        ],
        finalOb: ModelInput.empty(),
        stopReason: null,
      });
    }
    // reward = 0.1·(format − 1) + correct: clean stop + right → 1, wrong → 0, no stop sequence → format 0.
    expect(trajs.map((t) => t.transitions[0]!.reward)).toEqual([1, 0, 0.9, 0]);
    const group: TrajectoryGroup = {
      trajectories: trajs,
      finalRewards: [0, 0, 0, 0],
      metrics: [{}, {}, {}, {}],
      rolloutErrors: [],
    };
    const [adv] = computeAdvantages([group]);
    const f = Math.fround;
    const mean = f(f(f(f(1 + 0) + f(0.9)) + 0) / 4);
    expect(Array.from(adv!)).toEqual([f(1 - mean), f(0 - mean), f(f(0.9) - mean), f(0 - mean)]);
    const [d] = trajectoryToData(trajs[0]!, adv![0]!);
    const obLen = ModelInput.length(trajs[0]!.transitions[0]!.ob);
    const acLen = trajs[0]!.transitions[0]!.ac.tokens.length;
    const mask = Array.from(d!.lossFnInputs["mask"]!.data as ArrayLike<number>);
    expect(mask).toEqual([...Array(obLen - 1).fill(0), ...Array(acLen).fill(1)]);
    expect(Array.from(d!.lossFnInputs["advantages"]!.data as ArrayLike<number>)).toEqual(
      mask.map((m) => (m ? adv![0]! : 0)),
    );
    expect(Array.from(d!.lossFnInputs["logprobs"]!.data as ArrayLike<number>).slice(obLen - 1)).toEqual(
      trajs[0]!.transitions[0]!.ac.maybeLogprobs!.map((x) => f(x)),
    );
  });

  it("the cookbook's smallest runs (sync, async, streaming) resolve to its configs", async () => {
    // tests/recipes/test_recipe_math_rl.py, with the local tiny model in place of Qwen/Qwen3.5-4B
    const base = ["backend=local", "groups_per_batch=8", "group_size=4", "max_tokens=5", "max_steps=2"];
    const sync = (await resolveRecipeConfig(mathRl, base)) as MathRlConfig;
    expect(sync).toMatchObject({
      max_steps_off_policy: null,
      stream_minibatch_config: null,
      num_substeps: 1,
      num_groups_to_log: 4,
    });
    const asyncCfg = (await resolveRecipeConfig(mathRl, [...base, "max_steps_off_policy=2"])) as MathRlConfig;
    expect(asyncCfg.max_steps_off_policy).toBe(2);
    // AsyncConfig accepts max_steps_off_policy=0 (the cookbook CLI only checks `is not None`)
    const zero = (await resolveRecipeConfig(mathRl, [...base, "max_steps_off_policy=0"])) as MathRlConfig;
    expect(zero.max_steps_off_policy).toBe(0);
    const stream = (await resolveRecipeConfig(mathRl, [
      ...base,
      "stream_minibatch_config.groups_per_batch=8",
      "stream_minibatch_config.num_minibatches=2",
    ])) as MathRlConfig;
    expect(stream.stream_minibatch_config).toEqual({ groups_per_batch: 8, num_minibatches: 2 });
    // rl/train.py: groups_per_substep = 8 // num_substeps = 8; groups_per_minibatch = 8 // 2 = 4
    expect(streamMinibatchPlan({ groupsPerBatch: 8, numMinibatches: 2 }, stream.num_substeps)).toEqual({
      groupsPerSubstep: 8,
      groupsPerMinibatch: 4,
    });
  });
});
