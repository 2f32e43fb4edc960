import type { EnvGroupBuilder, LogprobScorer, RLDataset, RLDatasetBuilder } from "@crucible/env";
import type { RLConfig } from "../rl/config.js";
import { type RLRunResult, setupLoop } from "../rl/loop.js";
import type { DataPostprocess } from "../rl/step.js";
import { runSyncLoop } from "../rl/train.js";
import { incorporateTeacherKl } from "./teacher-kl.js";

export interface TeacherConfig {
  baseModel: string;
  loadCheckpointPath?: string | null;
}

/** One prompt dataset and the teacher that scores its rollouts. */
export interface DistillationDatasetConfig {
  datasetBuilder: RLDatasetBuilder;
  teacherConfig: TeacherConfig;
  groupsPerBatch: number;
}

/** Batch i = each dataset's batch i concatenated; `length = min(len)`. Remembers the dataset of every group. */
export class CompositeDataset implements RLDataset {
  readonly length: number;
  constructor(readonly datasets: readonly RLDataset[]) {
    if (datasets.length === 0) throw new Error("CompositeDataset needs at least one dataset");
    this.length = Math.min(...datasets.map((d) => d.length));
  }
  getBatchWithIndices(i: number): { builders: EnvGroupBuilder[]; datasetIndex: number[] } {
    const builders: EnvGroupBuilder[] = [];
    const datasetIndex: number[] = [];
    this.datasets.forEach((d, k) => {
      for (const b of d.getBatch(i)) {
        builders.push(b);
        datasetIndex.push(k);
      }
    });
    return { builders, datasetIndex };
  }
  getBatch(i: number): EnvGroupBuilder[] {
    return this.getBatchWithIndices(i).builders;
  }
}

export interface OnPolicyDistillationConfig
  extends Omit<
    RLConfig,
    | "datasetBuilder"
    | "klPenaltyCoef"
    | "klDiscountFactor"
    | "klReferenceConfig"
    | "asyncConfig"
    | "removeConstantRewardGroups"
  > {
  datasetConfigs: DistillationDatasetConfig[];
  /** 1.0 */
  klPenaltyCoef?: number;
  /** 0.0 */
  klDiscountFactor?: number;
}

/**
 * On-policy distillation (cookbook `train_on_policy`): the student samples, each dataset's teacher scores the
 * student's tokens with `computeLogprobs`, and the per-token reverse KL becomes the advantage
 * (`−coef·(student − teacher)`; env rewards are 0). Sync loop with a fresh sampler after every step.
 * The signal comes only from tokens the student samples: a student that is near-uniform over a large vocabulary
 * (e.g. a random-init model) almost never samples the teacher's tokens and barely moves (measured in
 * tools/bench/distillation); start from a student that already puts mass where the teacher does.
 */
export async function trainOnPolicyDistillation(config: OnPolicyDistillationConfig): Promise<RLRunResult> {
  const coef = config.klPenaltyCoef ?? 1.0;
  const discount = config.klDiscountFactor ?? 0.0;
  let composite: CompositeDataset | undefined;
  const datasetBuilder: RLDatasetBuilder = async () => {
    const trains = await Promise.all(
      config.datasetConfigs.map(async (dc) => (await dc.datasetBuilder()).train),
    );
    composite = new CompositeDataset(trains);
    return { train: composite, test: null };
  };
  const s = await setupLoop({ ...config, datasetBuilder, klPenaltyCoef: 0 }, { withTestEvaluator: false });
  const teachers: LogprobScorer[] = await Promise.all(
    config.datasetConfigs.map((dc) =>
      config.serviceClient.createSamplingClient({
        baseModel: dc.teacherConfig.baseModel,
        ...(dc.teacherConfig.loadCheckpointPath ? { modelPath: dc.teacherConfig.loadCheckpointPath } : {}),
      }),
    ),
  );
  // Dataset index of each builder, looked up by identity when the batch comes back from rollouts.
  const datasetOf = new WeakMap<EnvGroupBuilder, number>();
  s.train = {
    length: s.train.length,
    getBatch(i: number) {
      const { builders, datasetIndex } = (composite as CompositeDataset).getBatchWithIndices(i);
      builders.forEach((b, k) => {
        datasetOf.set(b, datasetIndex[k] as number);
      });
      return builders;
    },
  };
  const postprocess: DataPostprocess = (data, metadata, batch) =>
    incorporateTeacherKl(
      data,
      metadata,
      batch.builders.map((b) => datasetOf.get(b) ?? 0),
      teachers,
      coef,
      discount,
    );
  return runSyncLoop(s, postprocess);
}
