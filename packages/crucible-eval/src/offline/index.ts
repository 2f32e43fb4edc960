export {
  evaluateOffline,
  graderKey,
  OfflineDataError,
  type OfflineOptions,
  type OfflineResult,
  type OfflineRow,
  type OfflineSummary,
  readOfflineRows,
} from "./offline.js";
