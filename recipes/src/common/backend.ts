// Opens the Tinker backend a recipe runs on: the embedded local engine (in-process transport) or a remote
// Tinker server through HTTP. The same ServiceClient API drives both.
import type { ServiceClient } from "@crucible/tinker-client";
import type { BackendKind } from "./resolve.js";

export interface BackendSession {
  kind: BackendKind;
  service: ServiceClient;
  close(): Promise<void>;
}

/**
 * `models`: the base models the run uses. Locally the backend serves its built-in models plus those of them that
 * are local Hugging Face directories (`model_name=<dir>`), and nothing else.
 */
export async function openBackend(
  kind: BackendKind,
  baseUrl: string | null = null,
  models: (string | null | undefined)[] = [],
): Promise<BackendSession> {
  const { ServiceClient } = await import("@crucible/tinker-client");
  if (kind === "remote") {
    const service = new ServiceClient(baseUrl ? { baseUrl } : {});
    return { kind, service, close: () => service.close() };
  }
  const { BUILTIN_MODELS, createLocalBackend } = await import("@crucible/tinker-local");
  const dirs = models.filter((m): m is string => typeof m === "string" && !(m in BUILTIN_MODELS));
  const backend = await createLocalBackend(
    dirs.length > 0 ? { models: [...Object.keys(BUILTIN_MODELS), ...new Set(dirs)] } : {},
  );
  const service = new ServiceClient(backend.clientOptions);
  return {
    kind,
    service,
    async close() {
      await service.close();
      await backend.close();
    },
  };
}
