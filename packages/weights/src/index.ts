// Taking a trained model home: download, PEFT export, merge, publish.

export { hfHubCacheDir, resolveBaseModelDir } from "./base-model.js";
export type { ModelCardOptions, Provenance } from "./card.js";
export { buildModelCard, finalMetrics, PROVENANCE } from "./card.js";
export type { LoraCheckpoint, LoraPair } from "./checkpoint.js";
export { ADAPTER_CONFIG, ADAPTER_WEIGHTS, loraScale, parseLoraKey, readCheckpoint } from "./checkpoint.js";
export type { DownloadOptions, DownloadResult } from "./download.js";
export { DOWNLOAD_RECORD, downloadCheckpoint } from "./download.js";
export { WeightsError } from "./errors.js";
export type { MergeOptions, MergeResult } from "./merge.js";
export { addLoraDelta, mergeAdapter } from "./merge.js";
export type { BaseModelDir } from "./model-dir.js";
export { checkAdapterFits, readBaseModelDir, TOKENIZER_FILES } from "./model-dir.js";
export { writeDirAtomic } from "./output-dir.js";
export type { PeftExportOptions, PeftExportResult } from "./peft.js";
export { exportPeftAdapter } from "./peft.js";
export type { PublishOptions } from "./publish.js";
export { publishToHub } from "./publish.js";
export { extractTarSafely } from "./tar.js";
