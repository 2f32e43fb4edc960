export { tempPathFor, writeAll, writeFileAtomic } from "./atomic.js";
export {
  cachedCommit,
  cachedFile,
  cachedSnapshotFiles,
  linkSnapshotFile,
  snapshotDir,
  storageFolder,
  writeRef,
} from "./cache.js";
export {
  type DatasetQuery,
  datasetFiles,
  datasetRows,
  downloadDatasetFiles,
  type SplitMatcherOptions,
  type StreamOptions,
  splitMatcher,
  streamDatasetRows,
  take,
} from "./data/datasets.js";
export {
  type ByteSource,
  DATA_FILE,
  DataFileError,
  jsonlRows,
  parquetRows,
  type RemoteFile,
  type Row,
  rangeBuffer,
  readDataFile,
  readRemoteDataFile,
} from "./data/readers.js";
export {
  authHeaders,
  type FileMetadata,
  fileMetadata,
  type HubRequestOptions,
  hubDownload,
  isNetworkError,
  resolveUrl,
} from "./download.js";
export { HubError, HubHttpError, HubIntegrityError, HubNotCachedError, HubNotFoundError } from "./errors.js";
export { isCached, listRepoFiles, type RepoFile } from "./listing.js";
export { ProgressLine } from "./progress.js";
export {
  COMMIT_HASH,
  datasetRepo,
  fetchCommand,
  modelRepo,
  type RepoRef,
  type RepoType,
  repoFolderName,
  repoUrlPath,
} from "./repo.js";
export {
  DTYPE_BYTES,
  numel,
  readSafetensors,
  readSafetensorsHeader,
  readTensorBytes,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFile,
  type SafetensorsLocation,
  type SafetensorsTensor,
  toFloat32,
} from "./safetensors/safetensors.js";
export {
  encodeSafetensors,
  fromFloat32,
  type SafetensorsInput,
  type SafetensorsSpec,
  writeSafetensorsFile,
} from "./safetensors/writer.js";
export { type HubSettings, hfHome, hubSettings, withSettings } from "./settings.js";
export {
  type FixtureCommit,
  type FixtureContent,
  type FixtureFile,
  type FixtureRepo,
  fixtureFile,
} from "./testing/fixture-repo.js";
export {
  type LocalHubSession,
  type LocalHubSessionOptions,
  startLocalHubSession,
} from "./testing/hub-session.js";
export { type HubRequestRecord, type HubRoute, LocalHub, type LocalHubOptions } from "./testing/local-hub.js";
export { type UploadLog, uploadRoutes } from "./testing/upload-routes.js";
export { type UploadFolderOptions, type UploadFolderResult, uploadFolder } from "./upload.js";
export { blobProblem, DEFAULT_VERIFY_LIMIT, type ExpectedBlob, hashFile } from "./verify.js";
