import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RendererError } from "./errors.js";
import {
  KIMI_K25_MEDIA_PROCESSOR,
  kimiImageTokenCount,
  kimiMediaProcessorFromConfig,
  navitResizeImage,
} from "./kimi-image.js";

// Where the values come from (looked up 2026-12-04 with the search tool; nothing here reads the network):
// - The cookbook counts Kimi image tokens in `renderers/base.py:image_to_chunk` as
//   `image_processor.get_resize_config({"type": "image", "image": pil_image})["num_tokens"]`, with the processor of
//   moonshotai/Kimi-K2.5 at revision 3367c8d1c68584429fab7faf845a32d5195b6ac1 (`image_processing_utils.py`).
// - That processor (`kimi_k25_vision_processing.py:KimiK25VisionProcessor.get_resize_config`) calls, for an image,
//   `navit_resize_image(w, h, patch_size, merge_kernel_size, in_patch_limit, patch_limit_on_one_side,
//   fixed_output_tokens)` from `media_utils.py` with the `media_proc_cfg` of preprocessor_config.json.
// - `fixtures/kimi-k25-preprocessor_config.json` is that file as published with Kimi-K2.5's remote code (its
//   auto_map and `config_type: media_proc.processors.moonvit.MoonViTMediaProcessorConfig`); the index held copies
//   of it (huggingface.co/tiny-random/kimi-k2.5, and re-uploads of the Kimi-K2.5 files), not the moonshotai repo
//   page itself. transformers' own test processor (hf-internal-testing/tiny-processor-kimi_k25,
//   processor_config.json) carries the same image values under `image_processor.media_proc_cfg`.
const PREPROCESSOR_CONFIG = JSON.parse(
  readFileSync(new URL("../test/fixtures/kimi-k25-preprocessor_config.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

describe("Kimi-K2.5 media processor values", () => {
  it("KIMI_K25_MEDIA_PROCESSOR is what Kimi-K2.5's preprocessor_config.json says", () => {
    expect(kimiMediaProcessorFromConfig(PREPROCESSOR_CONFIG)).toEqual(KIMI_K25_MEDIA_PROCESSOR);
    const cfg = PREPROCESSOR_CONFIG.media_proc_cfg as Record<string, unknown>;
    expect([cfg.patch_size, cfg.merge_kernel_size, cfg.in_patch_limit, cfg.patch_limit_on_one_side]).toEqual([
      14, 2, 16384, 512,
    ]);
    expect(cfg.fixed_output_tokens).toBeNull();
  });

  it("reads transformers' processor_config.json layout (media_proc_cfg under image_processor)", () => {
    const nested = { image_processor: { media_proc_cfg: PREPROCESSOR_CONFIG.media_proc_cfg } };
    expect(kimiMediaProcessorFromConfig(nested)).toEqual(KIMI_K25_MEDIA_PROCESSOR);
  });

  it("token counts printed by CPython running media_utils.py's navit_resize_image with that config", () => {
    // (width, height) → num_tokens, from /usr/bin/python3 with the function copied from media_utils.py.
    for (const [w, h, n] of [
      [640, 480, 414],
      [1000, 1000, 1296],
      [5000, 5000, 4096],
      [7000, 100, 1000],
      [12345, 678, 3840],
    ] as const) {
      expect(kimiImageTokenCount(KIMI_K25_MEDIA_PROCESSOR, w, h), `${w}x${h}`).toBe(n);
    }
  });

  it("a limit the padding overflows is refused, as media_utils.py's assertion does", () => {
    const odd = { ...KIMI_K25_MEDIA_PROCESSOR, patchLimitOnOneSide: 511, inPatchLimit: 1_000_000_000 };
    expect(() => navitResizeImage(8000, 8000, odd)).toThrow(RendererError);
    expect(() => navitResizeImage(8000, 8000, odd)).toThrow(/patch_limit_on_one_side 511/);
    expect(navitResizeImage(8000, 8000, { ...odd, fixedOutputTokens: 9 }).numTokens).toBe(9);
  });
});
