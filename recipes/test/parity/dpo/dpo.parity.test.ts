// dpo parity: the first batch interleaves chosen/rejected datums in the cookbook's order (JSONL comparisons
// shuffled with seed 0, 8 held out, set_epoch(0)), rendered with LAST_ASSISTANT_MESSAGE and 0/1 weights
// (reduction "none"), and the loss inputs turn into the reference DPO metrics (spec §A18).
import { getTokenizer } from "@crucible/renderers";
import type { Datum } from "@crucible/tinker-client";
import { computeDpoLoss } from "@crucible/train";
import { describe, expect, it } from "vitest";
import { resolveRecipeConfig } from "../../../src/cli/run-recipe.js";
import { dpo } from "../../../src/dpo/config.js";
import { dpoDatasetBuilder } from "../../../src/dpo/run.js";
import type { DpoConfig } from "../../../src/dpo/schema.js";
import { conversationRows, roleColonExample, shifted } from "../role-colon-reference.js";

const ints = (d: Datum, k: string) => Array.from(d.lossFnInputs[k]!.data as ArrayLike<number>);

describe("dpo parity with the cookbook", () => {
  it("first batch: pairs of rows [77,21,19,41,112,23,124,94], chosen even / rejected odd", async () => {
    const cfg = (await resolveRecipeConfig(dpo, ["backend=local"])) as DpoConfig;
    expect(cfg).toMatchObject({ batch_size: 8, test_size: 8, dpo_beta: 0.1, learning_rate: 1e-5 });
    const { train, test } = await (await dpoDatasetBuilder(cfg)).build();
    expect(await test!.getBatch(0)).toHaveLength(16);
    train.setEpoch(0);
    const batch = await train.getBatch(0);
    expect(batch).toHaveLength(16);
    const tok = await getTokenizer("Qwen/Qwen3-8B");
    const convs = conversationRows();
    // preferences.jsonl row r: prompt = conversation r minus its reply, chosen = that reply, rejected = reply of r+1.
    [77, 21, 19, 41, 112, 23, 124, 94].forEach((r, k) => {
      const conv = convs[r]!;
      const prompt = conv.slice(0, -1);
      const rejected = convs[(r + 1) % convs.length]!.at(-1)!;
      const refC = shifted(
        roleColonExample(tok, [...prompt, conv.at(-1)!], "last_assistant_message"),
        "none",
      );
      const refR = shifted(roleColonExample(tok, [...prompt, rejected], "last_assistant_message"), "none");
      expect(ints(batch[2 * k]!, "target_tokens"), `chosen ${r}`).toEqual(refC.targets);
      expect(ints(batch[2 * k]!, "weights")).toEqual(refC.weights);
      expect(ints(batch[2 * k + 1]!, "target_tokens"), `rejected ${r}`).toEqual(refR.targets);
      expect(ints(batch[2 * k + 1]!, "weights")).toEqual(refR.weights);
    });
  });

  it("loss inputs → the reference DPO metrics (β = 0.1 example of §A18)", () => {
    const r = computeDpoLoss(
      { chosen: [-10, -12], rejected: [-11, -11], chosenRef: [-10.5, -12.5], rejectedRef: [-10.8, -10.9] },
      0.1,
    );
    expect(r.metrics.dpo_loss).toBeCloseTo(0.661178334312419, 6);
    expect(r.metrics.accuracy).toBe(1);
    expect(r.metrics.chosen_reward).toBeCloseTo(0.05, 6);
    expect(r.metrics.rejected_reward).toBeCloseTo(-0.015, 6);
    expect(r.metrics.margin).toBeCloseTo(0.065, 6);
    // policy == reference: ln 2, margin 0, accuracy 0 (strict >).
    const eq = computeDpoLoss({ chosen: [-3], rejected: [-4], chosenRef: [-3], rejectedRef: [-4] }, 0.1);
    expect(eq.metrics).toMatchObject({ accuracy: 0, margin: 0 });
    expect(eq.metrics.dpo_loss).toBeCloseTo(Math.LN2, 6);
  });
});
