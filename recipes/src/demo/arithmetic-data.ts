// The demo's problem sources over a small operand range, with the held-out pairs kept out of both the SFT
// conversations and the RL batches.
import { writeFileSync } from "node:fs";
import {
  ArithmeticEnv,
  type EnvGroupBuilder,
  type EnvRenderer,
  ProblemGroupBuilder,
  RandomState,
  type RLDataset,
  type RLDatasetBuilder,
} from "@crucible/env";

/** Draws `count` pairs from MT19937(seed) over [0, maxOperand)², skipping held-out pairs. */
export function drawPairs(
  rng: RandomState,
  count: number,
  maxOperand: number,
  heldOut: Set<string>,
): [number, number][] {
  const out: [number, number][] = [];
  while (out.length < count) {
    const x = rng.randint(0, maxOperand);
    const y = rng.randint(0, maxOperand);
    if (!heldOut.has(`${x},${y}`)) out.push([x, y]);
  }
  return out;
}

/**
 * Splits the pairs of [0, maxOperand)² that are not held out into an SFT share and an RL share (MT19937
 * permutation). RL needs problems the SFT model has not memorised: on memorised ones every sample of a group
 * is right, the rewards are constant and the advantages are zero. `sftFraction` 1 gives both stages every pair.
 */
export function splitTrainingPairs(
  maxOperand: number,
  heldOut: Set<string>,
  sftFraction: number,
  seed = 99,
): { sft: Set<string>; rl: Set<string> } {
  const pool: string[] = [];
  for (let x = 0; x < maxOperand; x++)
    for (let y = 0; y < maxOperand; y++) if (!heldOut.has(`${x},${y}`)) pool.push(`${x},${y}`);
  if (sftFraction >= 1) return { sft: new Set(pool), rl: new Set(pool) }; // both stages see every pair
  const order = new RandomState(seed).permutation(pool.length).map((i) => pool[i] as string);
  const nSft = Math.max(1, Math.min(pool.length - 1, Math.round(sftFraction * pool.length)));
  return { sft: new Set(order.slice(0, nSft)), rl: new Set(order.slice(nSft)) };
}

/** SFT conversations "What is x + y?" → "x+y", one per line. */
export function writeSftData(
  file: string,
  count: number,
  maxOperand: number,
  heldOut: Set<string>,
  seed = 777,
): void {
  const lines = drawPairs(new RandomState(seed), count, maxOperand, heldOut).map(([x, y]) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `What is ${x} + ${y}?` },
        { role: "assistant", content: String(x + y) },
      ],
    }),
  );
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** Like the cookbook's ArithmeticDataset (batch i seeded with i) but over [0, maxOperand) and without held-out pairs. */
export class SmallArithmeticDataset implements RLDataset {
  constructor(
    readonly renderer: EnvRenderer,
    readonly groupsPerBatch: number,
    readonly groupSize: number,
    readonly maxOperand: number,
    readonly heldOut: Set<string>,
    readonly length = 1000,
  ) {}
  getBatch(index: number): EnvGroupBuilder[] {
    return drawPairs(new RandomState(index), this.groupsPerBatch, this.maxOperand, this.heldOut).map(
      ([x, y]) =>
        new ProblemGroupBuilder(
          () => new ArithmeticEnv(x, y, this.renderer, null),
          this.groupSize,
          "arithmetic",
        ),
    );
  }
}

export function smallArithmeticBuilder(
  renderer: EnvRenderer,
  groupsPerBatch: number,
  groupSize: number,
  maxOperand: number,
  heldOut: Set<string>,
): RLDatasetBuilder {
  return async () => ({
    train: new SmallArithmeticDataset(renderer, groupsPerBatch, groupSize, maxOperand, heldOut),
    test: null,
  });
}
