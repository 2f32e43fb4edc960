/**
 * A problem with the user's input or environment (not a checkpoint, shapes that do not match the base model, an
 * output directory that cannot be written, a download that failed verification). The CLI prints the message and
 * exits with code 2; nothing half-written is left behind.
 */
export class WeightsError extends Error {
  override readonly name = "WeightsError";
  constructor(
    message: string,
    /** What kind of input was wrong, for callers that branch on it. */
    readonly kind:
      | "not_checkpoint"
      | "shape_mismatch"
      | "base_model"
      | "output"
      | "download"
      | "archive"
      | "publish",
  ) {
    super(message);
  }
}

/** Node's fs error code, if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}
