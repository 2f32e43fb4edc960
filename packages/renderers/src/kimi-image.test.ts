import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RendererError } from "./errors.js";
import {
  KIMI_K25_MEDIA_PROCESSOR,
  KIMI_K26_MEDIA_PROCESSOR,
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

// Kimi-K2.6 (looked up 2026-12-05 with the search tool): the cookbook loads K2.6's own image processor
// (`image_processing_utils.get_image_processor` pins moonshotai/Kimi-K2.6 at revision
// 81bcaaa7947338ce2641983d98947bca0cc1a4d4, trust_remote_code). No copy of that revision's preprocessor_config.json
// is in the index. `fixtures/kimi-k26-preprocessor_config.json` is the copy in immanuel-peter/vision-tower-bench
// (hf/MoonViT-K2.6/preprocessor_config.json, commit a6a3d646), which its scripts/export_moonvit_k26.py writes from
// moonshotai/Kimi-K2.6 at revision 7eb5002f6aadc958aed6a9177b7ed26bb94011bb, dropping only auto_map.AutoProcessor;
// the same bundle's media_utils.py / kimi_k25_vision_processing.py are K2.5's image path (get_resize_config →
// navit_resize_image with in_patch_limit). If Moonshot changed the file between the two revisions, this test
// cannot see it.
const K26_PREPROCESSOR_CONFIG = JSON.parse(
  readFileSync(new URL("../test/fixtures/kimi-k26-preprocessor_config.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

describe("Kimi-K2.6 media processor values", () => {
  it("KIMI_K26_MEDIA_PROCESSOR is what K2.6's preprocessor_config.json says (K2.5's values)", () => {
    expect(kimiMediaProcessorFromConfig(K26_PREPROCESSOR_CONFIG)).toEqual(KIMI_K26_MEDIA_PROCESSOR);
    expect(KIMI_K26_MEDIA_PROCESSOR).toEqual(KIMI_K25_MEDIA_PROCESSOR);
    expect(K26_PREPROCESSOR_CONFIG.media_proc_cfg).toEqual(PREPROCESSOR_CONFIG.media_proc_cfg);
  });

  it("token counts printed by CPython running K2.6's navit_resize_image with that config", () => {
    // (width, height) → num_tokens, from /usr/bin/python3 with the function from the bundle's media_utils.py and
    // the fixture's media_proc_cfg (2048x2048 pads 1795 → 1820: 65*65 = 4225, over 4096 because of the padding).
    for (const [w, h, n] of [
      [800, 600, 638],
      [1280, 720, 1196],
      [333, 777, 336],
      [2048, 2048, 4225],
      [9000, 300, 2304],
      [15, 4000, 143],
    ] as const) {
      expect(kimiImageTokenCount(KIMI_K26_MEDIA_PROCESSOR, w, h), `${w}x${h}`).toBe(n);
    }
  });
});
