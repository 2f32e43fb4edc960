import { HubError, type HubSettings, uploadFolder } from "@crucible/hub";
import { buildModelCard, type ModelCardOptions, PROVENANCE } from "./card.js";
import { WeightsError } from "./errors.js";

export interface PublishOptions extends Omit<ModelCardOptions, "repoId"> {
  dir: string;
  repoId: string;
  private?: boolean;
  settings?: Partial<HubSettings>;
}

/**
 * Uploads an exported directory (merged model or PEFT adapter) to the Hugging Face hub with a generated model card
 * as README.md, in one commit. The card is built first, so a missing log dir or provenance fails before any upload.
 */
export async function publishToHub(
  options: PublishOptions,
): Promise<{ url: string; commit: string; files: string[] }> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repoId)) {
    throw new WeightsError(
      `repo id ${JSON.stringify(options.repoId)} must look like <namespace>/<name>`,
      "publish",
    );
  }
  const card = buildModelCard(options.dir, options);
  try {
    const r = await uploadFolder({
      repo: options.repoId,
      dir: options.dir,
      exclude: (p) => p === PROVENANCE,
      extraFiles: [{ path: "README.md", content: card }],
      commitMessage: "Upload model with crucible weights publish",
      ...(options.private !== undefined ? { private: options.private } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    });
    return { url: r.url, commit: r.commit, files: r.files };
  } catch (err) {
    if (err instanceof HubError) throw new WeightsError(err.message, "publish");
    throw err;
  }
}
