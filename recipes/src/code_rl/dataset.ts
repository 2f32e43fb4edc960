// Batches of code_rl's problems (bundled or the user's file): batch i takes the next groupsPerBatch problems, cyclically.
import { type EnvRenderer, ProblemGroupBuilder, type RLDatasetBuilder } from "@crucible/env";
import { CodeEnv, type CodeProblem } from "./problems.js";

export function codeDatasetBuilder(
  problems: readonly CodeProblem[],
  renderer: EnvRenderer,
  groupsPerBatch: number,
  groupSize: number,
  nBatches: number,
): RLDatasetBuilder {
  const train = {
    length: nBatches,
    getBatch: (i: number) =>
      Array.from({ length: groupsPerBatch }, (_, j) => {
        const p = problems[(i * groupsPerBatch + j) % problems.length]!;
        return new ProblemGroupBuilder(() => new CodeEnv(p, renderer), groupSize, "code");
      }),
  };
  return async () => ({ train, test: null });
}
