import { RendererError } from "./errors.js";

/**
 * Kimi K2.5's MoonViT media processor settings (`media_proc_cfg` in its preprocessor_config.json): images are
 * scaled down (never up) to at most `inPatchLimit` patches of `patchSize` pixels and at most
 * `patchLimitOnOneSide` patches per side, zero-padded to a multiple of `patchSize * mergeKernelSize`, and
 * each `mergeKernelSize`² block of patches becomes one token.
 */
export interface KimiMediaProcessor {
  patchSize: number;
  mergeKernelSize: number;
  inPatchLimit: number;
  patchLimitOnOneSide: number;
  /** When set, every image occupies exactly this many tokens. */
  fixedOutputTokens: number | null;
}

/**
 * moonshotai/Kimi-K2.5's `media_proc_cfg` (patch 14, merge 2, 16384 patches, 512 per side, no fixed count), as in
 * the preprocessor_config.json of the revision the cookbook pins (3367c8d1c68584429fab7faf845a32d5195b6ac1);
 * `src/kimi-image.test.ts` holds the file and says where it was read.
 */
export const KIMI_K25_MEDIA_PROCESSOR: KimiMediaProcessor = Object.freeze({
  patchSize: 14,
  mergeKernelSize: 2,
  inPatchLimit: 16384,
  patchLimitOnOneSide: 512,
  fixedOutputTokens: null,
});

/**
 * moonshotai/Kimi-K2.6's `media_proc_cfg`: the same values as K2.5's (and K2.6 ships the same
 * `kimi_k25_vision_processing.py` / `navit_resize_image`), read from a copy of K2.6's preprocessor_config.json;
 * `src/kimi-image.test.ts` holds the file and says where it was read and which revision it is.
 */
export const KIMI_K26_MEDIA_PROCESSOR: KimiMediaProcessor = Object.freeze({ ...KIMI_K25_MEDIA_PROCESSOR });

export interface NavitResize {
  numTokens: number;
  newWidth: number;
  newHeight: number;
  padWidth: number;
  padHeight: number;
}

/** Kimi's `navit_resize_image`, the same float operations in the same order (so the same truncations). */
export function navitResizeImage(width: number, height: number, p: KimiMediaProcessor): NavitResize {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RendererError(`image ${width}x${height}: width and height must be positive integers`);
  }
  const ps = p.patchSize;
  const s1 = Math.sqrt(
    p.inPatchLimit / (Math.max(1, Math.floor(width / ps)) * Math.max(1, Math.floor(height / ps))),
  );
  const s2 = (p.patchLimitOnOneSide * ps) / width;
  const s3 = (p.patchLimitOnOneSide * ps) / height;
  const scale = Math.min(1, s1, s2, s3);
  const side = p.patchLimitOnOneSide * ps;
  const newWidth = Math.min(Math.max(1, Math.trunc(width * scale)), side);
  const newHeight = Math.min(Math.max(1, Math.trunc(height * scale)), side);
  const factor = p.mergeKernelSize * ps;
  const padHeight = (factor - (newHeight % factor)) % factor;
  const padWidth = (factor - (newWidth % factor)) % factor;
  const fixed = p.fixedOutputTokens ?? null;
  if (fixed !== null) {
    return { numTokens: fixed, newWidth, newHeight, padWidth, padHeight };
  }
  const tokenHeight = (newHeight + padHeight) / factor;
  const tokenWidth = (newWidth + padWidth) / factor;
  // media_utils.py asserts this: padding can push a side past the limit when the limit is not a multiple of the merge.
  for (const [dim, tokens] of [
    ["height", tokenHeight],
    ["width", tokenWidth],
  ] as const) {
    if (tokens * p.mergeKernelSize > p.patchLimitOnOneSide) {
      throw new RendererError(
        `image ${width}x${height}: padded ${dim} is ${tokens * p.mergeKernelSize} patches, over patch_limit_on_one_side ` +
          `${p.patchLimitOnOneSide} (Kimi's navit_resize_image rejects it too); make patch_limit_on_one_side a multiple of merge_kernel_size`,
      );
    }
  }
  return { numTokens: tokenHeight * tokenWidth, newWidth, newHeight, padWidth, padHeight };
}

/** Tokens an image occupies (`get_resize_config({"type": "image", ...})["num_tokens"]`). */
export function kimiImageTokenCount(p: KimiMediaProcessor, width: number, height: number): number {
  return navitResizeImage(width, height, p).numTokens;
}

/**
 * Reads the processor from a Kimi `preprocessor_config.json` object (its `media_proc_cfg`), or from a
 * transformers-style `processor_config.json` (`image_processor.media_proc_cfg`).
 */
export function kimiMediaProcessorFromConfig(config: Record<string, unknown>): KimiMediaProcessor {
  const nested = config.image_processor as Record<string, unknown> | undefined;
  const cfg =
    config.media_proc_cfg ??
    (typeof nested === "object" && nested !== null ? nested.media_proc_cfg : undefined);
  if (typeof cfg !== "object" || cfg === null) {
    throw new RendererError(
      "preprocessor_config.json: media_proc_cfg must be an object (Kimi's layout; processor_config.json keeps it under image_processor)",
    );
  }
  const c = cfg as Record<string, unknown>;
  const int = (v: unknown, field: string): number => {
    // merge_kernel_size is sometimes written as a pair; only its first entry is used.
    const x = Array.isArray(v) ? v[0] : v;
    if (typeof x !== "number" || !Number.isInteger(x) || x <= 0) {
      throw new RendererError(
        `preprocessor_config.json: media_proc_cfg.${field} must be a positive integer, got ${JSON.stringify(v)}`,
      );
    }
    return x;
  };
  const fixed = c.fixed_output_tokens;
  return {
    patchSize: int(c.patch_size, "patch_size"),
    mergeKernelSize: int(c.merge_kernel_size, "merge_kernel_size"),
    inPatchLimit: int(c.in_patch_limit, "in_patch_limit"),
    patchLimitOnOneSide: int(c.patch_limit_on_one_side, "patch_limit_on_one_side"),
    fixedOutputTokens: fixed === null || fixed === undefined ? null : int(fixed, "fixed_output_tokens"),
  };
}
