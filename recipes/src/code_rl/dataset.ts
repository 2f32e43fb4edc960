// Batches of code_rl's problems: batch i takes the next groupsPerBatch problems, cyclically.
import { type EnvRenderer, ProblemGroupBuilder, type RLDatasetBuilder } from "@crucible/env";
import { CODE_PROBLEMS, CodeEnv } from "./problems.js";

export function codeDatasetBuilder(
  renderer: EnvRenderer,
  groupsPerBatch: number,
  groupSize: number,
  nBatches: number,
): RLDatasetBuilder {
  const train = {
    length: nBatches,
    getBatch: (i: number) =>
      Array.from({ length: groupsPerBatch }, (_, j) => {
        const p = CODE_PROBLEMS[(i * groupsPerBatch + j) % CODE_PROBLEMS.length]!;
        return new ProblemGroupBuilder(() => new CodeEnv(p, renderer), groupSize, "code");
      }),
  };
  return async () => ({ train, test: null });
}
