// The renderer a checkpoint was trained with, read back from its training run's user metadata (`renderer_name`,
// written by the SL/DPO loops), so a follow-up run on those weights keeps the chat format they learned.
import type { ServiceClient } from "@crucible/tinker-client";

/** `renderer_name` of the run that wrote `tinkerPath`, or undefined when the run did not record one. */
export async function checkpointRendererName(
  service: Pick<ServiceClient, "createRestClient">,
  tinkerPath: string,
): Promise<string | undefined> {
  const run = await service.createRestClient().getTrainingRunByTinkerPath(tinkerPath);
  const name = run.userMetadata?.renderer_name;
  return name ? name : undefined;
}

/**
 * The renderer to use: the config's when it names one (warning when the checkpoint was trained with another),
 * else the checkpoint's, else null (the caller falls back to the model's recommended renderer).
 */
export function pickRenderer(
  configured: string | null,
  fromCheckpoint: string | undefined,
  warn: (message: string) => void,
): string | null {
  if (configured && fromCheckpoint && configured !== fromCheckpoint)
    warn(
      `renderer_name=${configured} differs from the checkpoint's renderer ${fromCheckpoint}; ` +
        `the weights were trained with ${fromCheckpoint}`,
    );
  return configured ?? fromCheckpoint ?? null;
}
