// Public API of @crucible/train. Exports are grouped by area; keep them that way when adding more.

// --- checkpoints and log dirs
export {
  type CheckpointClient,
  type CheckpointKind,
  CheckpointManager,
  type CheckpointManagerOptions,
  type LoopState,
  saveCheckpoint,
} from "./checkpoint/manager.js";
export {
  appendCheckpointRecord,
  CHECKPOINTS_FILE,
  type CheckpointRecord,
  checkpointRecordFromDict,
  checkpointRecordToDict,
  getLastCheckpoint,
  loadCheckpointsFile,
  recordGet,
  recordHas,
} from "./checkpoint/record.js";
// --- clients and the SL loop
export { checkpointClientFor, type ServiceClientLike, type TrainingClientLike } from "./client.js";
export {
  type HfDatasetSource,
  hfCacheDir,
  loadSplitRows,
  parseMessages,
  readJsonlRows,
  readParquetRows,
  readRows,
  resolveSplitFiles,
  type SourcedRow,
} from "./data/files.js";
export {
  type DatasetWithTeacher,
  type OffPolicySoftTargetConfig,
  TeacherTracesBuilder,
  teacherTraceMessages,
  trainOffPolicySoftTargets,
} from "./distillation/off-policy.js";
// --- distillation (on-policy reverse KL, off-policy top-K soft targets)
export {
  CompositeDataset,
  type DistillationDatasetConfig,
  type OnPolicyDistillationConfig,
  type TeacherConfig,
  trainOnPolicyDistillation,
} from "./distillation/on-policy.js";
export { OPENTHOUGHTS3_REPO, OpenThoughts3Builder } from "./distillation/openthoughts3.js";
export {
  probeReverseKl,
  type ReverseKlProbeOptions,
  type ReverseKlProbeResult,
} from "./distillation/reverse-kl-probe.js";
export {
  domainCounts,
  roundHalfEven,
  softTargetDatum,
  type TopKRows,
  teacherSoftTargets,
} from "./distillation/soft-targets.js";
export { applyTeacherKl, incorporateTeacherKl } from "./distillation/teacher-kl.js";
// --- errors
export { ConfigurationError, DataFormatError, DataValidationError } from "./errors.js";
export {
  getHiddenSize,
  getLoraLrOverFullFinetuneLr,
  getLoraParamCount,
  getLr,
  type LoraParamCountOptions,
  loraParamTableModels,
  NotImplementedLrError,
} from "./hyperparams.js";
export {
  type ComparisonDatasetBuilder,
  HelpSteer3ComparisonBuilder,
  HHHComparisonBuilder,
  JsonlComparisonBuilder,
  labeledComparisonFor,
  parseHhhTranscript,
  UltraFeedbackComparisonBuilder,
} from "./preference/comparison-builders.js";
export {
  ChatDatasetBuilderFromComparisons,
  getLabeledComparisons,
} from "./preference/comparison-datasets.js";
export {
  ComparisonEvaluator,
  type ComparisonEvaluatorOptions,
  meanAndStderr,
  PairwiseAccuracyEvaluator,
  type PairwiseAccuracyOptions,
} from "./preference/comparison-evaluator.js";
export {
  COMPLETION_A_MARKER,
  COMPLETION_B_MARKER,
  type ComparisonRenderer,
  ComparisonRendererFromChatRenderer,
  PREFERENCE_MARKER,
} from "./preference/comparison-renderer.js";
export { DPODatasetBuilderFromComparisons } from "./preference/dpo-dataset.js";
export { computeDpoLoss, type DpoLossResult, type DpoPairSums, weightedSum } from "./preference/dpo-loss.js";
export {
  type ChatPreferenceModelOptions,
  type PreferenceModel,
  type PreferenceModelBuilder,
  preferenceModelBuilderFromChatRenderer,
  preferenceModelFromChatRenderer,
  type SamplerOpener,
  scoreOfLabel,
} from "./preference/preference-model.js";
export {
  type DpoTrainConfig,
  DpoTrainConfigSchema,
  type DpoTrainOptions,
  dpoTrain,
  referenceLogprobs,
} from "./preference/train-dpo.js";
// --- preference learning (DPO, reward models)
export {
  type Comparison,
  type ComparisonLabel,
  type LabeledComparison,
  swapComparison,
  swapLabeledComparison,
} from "./preference/types.js";
export { runAsyncLoop } from "./rl/async.js";
export { createRunTrainingClient, type RLServiceClient, type RLTrainingClient } from "./rl/clients.js";
export {
  type AsyncConfig,
  type KLReferenceConfig,
  type ResolvedRLConfig,
  type RLConfig,
  resolveRLConfig,
  strategyOf,
} from "./rl/config.js";
export { RLTestSetEvaluator, type SamplingClientEvaluator } from "./rl/evaluator.js";
export { finishLoop, type LoopSetup, type RLRunResult, runSamplerEvaluators, setupLoop } from "./rl/loop.js";
// --- RL loop (sync, async off-policy, streaming minibatches)
export {
  getPairs,
  getPairsChunked,
  type PairwisePreferenceDatasetOptions,
  PairwisePreferenceGroupBuilder,
  type PairwisePreferenceGroupOptions,
  PreferenceEnv,
  pairwisePreferenceDataset,
  pairwisePreferenceRLDatasetBuilder,
  type TournamentPattern,
} from "./rl/preference-envs.js";
export {
  type Decoder,
  iterationDir,
  rolloutSummaries,
  writeRolloutSummaries,
  writeRolloutTranscripts,
} from "./rl/rollout-log.js";
export {
  type DataPostprocess,
  prepareMinibatch,
  type RolledOutBatch,
  refreshSampler,
  rolloutBatch,
  type TrainOnBatchContext,
  trainOnBatch,
} from "./rl/step.js";
export {
  ArrivalQueue,
  type ArrivedGroup,
  runStreamMinibatchLoop,
  samplingClientMetrics,
  trainStepStreaming,
} from "./rl/stream-minibatch.js";
export {
  type StreamMinibatchConfig,
  type StreamMinibatchPlan,
  streamMinibatchPlan,
} from "./rl/stream-minibatch-plan.js";
export { runSyncLoop, trainRL } from "./rl/train.js";
export { type RLLossFn, splitList, type TrainStepOptions, trainStep } from "./rl/train-step.js";
export {
  ChatDatasetBuilder,
  type ChatDatasetBuilderCommonConfig,
  type ConversationRow,
  FromConversationFileBuilder,
  type FromConversationFileOptions,
  NoRobotsBuilder,
  type SupervisedDatasetBuilder,
  type SupervisedDatasets,
  Tulu3Builder,
  toConversationRows,
} from "./supervised/builders.js";
// --- supervised: datum helpers
export {
  type BpbTokenizer,
  computeBpb,
  computeMeanNll,
  createRightshiftedModelInputAndLeftshiftedTargets,
  datumFromModelInputWeights,
  datumLength,
  lossInput,
  type Reduction,
} from "./supervised/common.js";
export { conversationToDatum } from "./supervised/conversation.js";
export {
  type RowMapping,
  StreamingSupervisedDataset,
  type SupervisedDataset,
  SupervisedDatasetFromRows,
} from "./supervised/dataset.js";
// --- datasets
export { RowDataset } from "./supervised/row-dataset.js";
export {
  type SupervisedTrainConfig,
  SupervisedTrainConfigSchema,
  type SupervisedTrainOptions,
  type SupervisedTrainResult,
  supervisedTrain,
} from "./supervised/train.js";
export { buildEvaluators, type EvalRound, evalSampler, runEvaluators } from "./utils/evals.js";
export { checkLogDir, type LogDirBehavior } from "./utils/log-dir.js";
export type { DatasetLoopParts } from "./utils/loop-config.js";
// --- LR schedules and hyperparameters
export { computeScheduleLrMultiplier, LR_SCHEDULES, type LRSchedule } from "./utils/lr-scheduling.js";
export {
  gitRevision,
  RUN_CONFIG_METADATA_KEY,
  runConfigFromMetadata,
  runMetadata,
} from "./utils/run-metadata.js";
export { StepTimer } from "./utils/timing.js";
