export { compareTable } from "./compare.js";
export {
  CHECKPOINT_STATUSES,
  type CheckpointRecord,
  type CheckpointStatus,
  type EvalRecord,
  ModelRegistry,
  RegistryError,
  registryPath,
  type StoredCheckpoint,
  type StoredEval,
} from "./registry.js";
export { type ScoreCell, type ScoreRow, type ScoreTable, scoreTable } from "./score-table.js";
