import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ImageChunk } from "@crucible/tinker-client";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { RendererError } from "./errors.js";

/**
 * How a Qwen-VL style image processor sizes an image: patches of `patchSize` pixels merged `mergeSize`²
 * into one token, the image resized to a multiple of `patchSize * mergeSize` within [minPixels, maxPixels].
 * Mirrors transformers' `Qwen2VLImageProcessor.get_number_of_image_patches`.
 */
export interface ImageProcessor {
  patchSize: number;
  mergeSize: number;
  minPixels: number;
  maxPixels: number;
}

/** Qwen3-VL's preprocessor_config.json (size.shortest_edge 65536, size.longest_edge 16777216, patch 16, merge 2). */
export const QWEN3_VL_IMAGE_PROCESSOR: ImageProcessor = Object.freeze({
  patchSize: 16,
  mergeSize: 2,
  minPixels: 65536,
  maxPixels: 16777216,
});

/** Reads an image processor from a `preprocessor_config.json` object (either spelling transformers writes). */
export function imageProcessorFromConfig(config: Record<string, unknown>): ImageProcessor {
  const size = (config.size ?? {}) as Record<string, unknown>;
  const num = (v: unknown, field: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new RendererError(
        `preprocessor_config.json: ${field} must be a positive number, got ${String(v)}`,
      );
    }
    return v;
  };
  return {
    patchSize: num(config.patch_size, "patch_size"),
    mergeSize: num(config.merge_size, "merge_size"),
    minPixels: num(config.min_pixels ?? size.shortest_edge, "min_pixels (or size.shortest_edge)"),
    maxPixels: num(config.max_pixels ?? size.longest_edge, "max_pixels (or size.longest_edge)"),
  };
}

/** Python's round(): halves go to the even neighbour. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** transformers' `qwen2_vl.smart_resize`, same operations in the same order (so the same float results). */
export function smartResize(
  height: number,
  width: number,
  factor: number,
  minPixels: number,
  maxPixels: number,
): [number, number] {
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new RendererError(
      `image ${width}x${height}: absolute aspect ratio must be smaller than 200 (the Qwen-VL image processor refuses it)`,
    );
  }
  let hBar = pyRound(height / factor) * factor;
  let wBar = pyRound(width / factor) * factor;
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    hBar = Math.ceil((height * beta) / factor) * factor;
    wBar = Math.ceil((width * beta) / factor) * factor;
  }
  return [hBar, wBar];
}

/** Tokens an image occupies: patches after smart_resize, divided by merge_size² (`image_to_chunk`). */
export function imageTokenCount(processor: ImageProcessor, height: number, width: number): number {
  const factor = processor.patchSize * processor.mergeSize;
  const [h, w] = smartResize(height, width, factor, processor.minPixels, processor.maxPixels);
  const patches = Math.floor(h / processor.patchSize) * Math.floor(w / processor.patchSize);
  return Math.floor(patches / processor.mergeSize ** 2);
}

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA pixels, row-major. */
  rgba: Uint8Array;
}

/** Source of an image part: a data URI, a local path or file:// URL, or encoded PNG/JPEG bytes. */
export type ImageSource = string | Uint8Array;

function sourceBytes(src: ImageSource): Uint8Array {
  if (typeof src !== "string") return src;
  if (src.startsWith("data:")) {
    const comma = src.indexOf(",");
    if (comma < 0 || !src.slice(0, comma).endsWith(";base64")) {
      throw new RendererError("image data URI must be base64 (data:image/png;base64,…)");
    }
    return Buffer.from(src.slice(comma + 1), "base64");
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) && !src.startsWith("file://")) {
    throw new RendererError(
      `image ${src.slice(0, 80)}: remote image URLs are not fetched; pass a data: URI, a local path or the bytes`,
    );
  }
  const path = src.startsWith("file://") ? fileURLToPath(src) : src;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RendererError(`image ${path}: cannot read (${(e as Error).message})`);
  }
}

/** Decodes PNG or JPEG (sniffed from the magic bytes) to RGBA. */
export function decodeImage(src: ImageSource): DecodedImage {
  const bytes = sourceBytes(src);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, rgba: img.data };
  }
  throw new RendererError("image must be PNG or JPEG (magic bytes not recognised)");
}

/**
 * An image part as the ModelInput chunk the cookbook's `image_to_chunk` builds: re-encoded as JPEG
 * (alpha dropped, as PIL's convert("RGB") does; quality 75, PIL's default) with the processor's token count
 * (or a custom counter's, for processors that are not Qwen-style).
 */
export function imageToChunk(
  src: ImageSource,
  sizing: ImageProcessor | ((width: number, height: number) => number),
): ImageChunk {
  const countTokens =
    typeof sizing === "function" ? sizing : (w: number, h: number) => imageTokenCount(sizing, h, w);
  const img = decodeImage(src);
  const encoded = jpeg.encode({ data: img.rgba, width: img.width, height: img.height }, 75);
  return {
    type: "image",
    data: Buffer.from(encoded.data).toString("base64"),
    format: "jpeg",
    expectedTokens: countTokens(img.width, img.height),
  };
}
