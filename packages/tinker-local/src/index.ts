// Server half: the Tinker-protocol handler, its HTTP server, the in-process transport and the checkpoint store.

// The engine (libtorch addon wrapper) and its contract.
export * from "./engine/index.js";
export type { AuthResult, Principal } from "./server/auth.js";
export { ApiKeyAuth, ApiKeySourceError, collectApiKeys } from "./server/auth.js";
export type { ServerLimits } from "./server/context.js";
export { HttpError, UserError } from "./server/errors.js";
export type { TinkerHandler, TinkerHandlerOptions } from "./server/handler.js";
export { createTinkerHandler, DEFAULT_LIMITS } from "./server/handler.js";
export type { LocalServer, LocalServerOptions } from "./server/http.js";
export { startLocalServer } from "./server/http.js";
export type { CheckpointRecord, RunRecord } from "./store/checkpoint-store.js";
export { CheckpointStore } from "./store/checkpoint-store.js";
export type { CheckpointKind, TinkerPath } from "./store/tinker-path.js";
export { formatTinkerPath, parseTinkerPath, validateCheckpointName } from "./store/tinker-path.js";
export type { InProcessTransportOptions } from "./transport/in-process.js";
export { createInProcessTransport } from "./transport/in-process.js";
export type { LocalBackend, LocalBackendOptions, LocalClientOptions } from "./transport/local-backend.js";
export { createLocalBackend, defaultCheckpointDir } from "./transport/local-backend.js";
