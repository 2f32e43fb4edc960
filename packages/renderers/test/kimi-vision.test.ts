import {
  ensureList,
  getRenderer,
  KIMI_K25_MEDIA_PROCESSOR,
  KIMI_K26_MEDIA_PROCESSOR,
  KimiK2Renderer,
  kimiImageTokenCount,
  kimiMediaProcessorFromConfig,
  type Message,
  navitResizeImage,
  RendererError,
} from "@crucible/renderers";
import { type ImageChunk, ModelInput as MI, type ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { conversationArb, flat, RENDERERS, type RendererUnderTest } from "./arbitraries.js";
import { expectedIds, KIMI_SPECIALS, kimiTokenizer } from "./family-tokenizer.js";

// Kimi K2.5 / K2.6 image parts, path by path against the Python cookbook: KimiK25Renderer._encode_multipart_content
// (prefix text, image_to_chunk, suffix text, each encoded on its own) and image_to_chunk's
// `image_processor.get_resize_config({"type": "image", "image": img})["num_tokens"]`, which for Kimi's MoonViT
// processor is `navit_resize_image(w, h, patch_size, merge_kernel_size, in_patch_limit, patch_limit_on_one_side,
// fixed_output_tokens)`.
const tok = kimiTokenizer();
const ids = (s: string) => expectedIds(tok, KIMI_SPECIALS, s);
const SYS = KimiK2Renderer.DEFAULT_SYSTEM_PROMPT;

function png(width: number, height: number): Uint8Array {
  const p = new PNG({ width, height });
  p.data.fill(120);
  return PNG.sync.write(p);
}

/** Text tokens, with an image chunk written as `IMG:<expected tokens>` (chunk boundaries do not matter). */
function pieces(mi: ModelInput): (number | string)[] {
  return mi.chunks.flatMap((c): (number | string)[] =>
    c.type === "image" ? [`IMG:${(c as ImageChunk).expectedTokens}`] : MI.toInts({ chunks: [c] }),
  );
}

describe("navit_resize_image with Kimi-K2.5's media_proc_cfg (patch 14, merge 2, 16384 patches, 512 a side)", () => {
  it("token counts", () => {
    // [width, height, tokens, newWidth, newHeight]; worked by hand from navit_resize_image:
    //  224x150: 16*10 patches ≤ 16384 → scale 1; pad 150→168 (factor 28): (168/28)*(224/28) = 6*8 = 48
    //  1x1: max(1.0, 0) guards the division; pads to 28x28 → 1 token
    //  29x28: width pads to 56 → 2 tokens
    //  3584x3584: s1 = sqrt(16384/(256*256)) = 0.5 → 1792x1792 → 64*64 = 4096
    //  3585x3585: floor patches still 256, s2 = 7168/3585 > 0.5 → int(3585*0.5) = 1792 → 4096
    //  4000x3000: s1 = sqrt(16384/(285*214)) ≈ 0.518 → int → 2073x1554, pads 27/14 → 75*56 = 4200
    //  8000x20: s2 = 7168/8000 = 0.896 → 7168x17 (int(17.92)) → 256*1 = 256
    //  10000x7: width capped at 7168 (512 patches a side), height int(7*0.7168) = 5 → 256
    //  1920x1080: scale 1 (137*77 patches); 1932x1092 padded → 69*39 = 2691
    for (const [w, h, n, nw, nh] of [
      [224, 150, 48, 224, 150],
      [1, 1, 1, 1, 1],
      [28, 28, 1, 28, 28],
      [29, 28, 2, 29, 28],
      [3584, 3584, 4096, 1792, 1792],
      [3585, 3585, 4096, 1792, 1792],
      [4000, 3000, 4200, 2073, 1554],
      [8000, 20, 256, 7168, 17],
      [10000, 7, 256, 7168, 5],
      [1920, 1080, 2691, 1920, 1080],
    ] as const) {
      const r = navitResizeImage(w, h, KIMI_K25_MEDIA_PROCESSOR);
      expect([r.numTokens, r.newWidth, r.newHeight], `${w}x${h}`).toEqual([n, nw, nh]);
      expect(kimiImageTokenCount(KIMI_K25_MEDIA_PROCESSOR, w, h)).toBe(n);
    }
    expect(kimiImageTokenCount({ ...KIMI_K25_MEDIA_PROCESSOR, fixedOutputTokens: 7 }, 4000, 3000)).toBe(7);
    expect(() => navitResizeImage(0, 10, KIMI_K25_MEDIA_PROCESSOR)).toThrow(/positive integers/);
  });

  it("reads media_proc_cfg from preprocessor_config.json (merge_kernel_size may be a pair)", () => {
    const cfg = {
      media_proc_cfg: {
        in_patch_limit: 16384,
        patch_size: 14,
        merge_kernel_size: [2, 2],
        fixed_output_tokens: null,
        patch_limit_on_one_side: 512,
        sample_fps: 2.0,
      },
    };
    expect(kimiMediaProcessorFromConfig(cfg)).toEqual(KIMI_K25_MEDIA_PROCESSOR);
    expect(() => kimiMediaProcessorFromConfig({})).toThrow(/media_proc_cfg must be an object/);
    expect(() =>
      kimiMediaProcessorFromConfig({ media_proc_cfg: { ...cfg.media_proc_cfg, patch_size: 0 } }),
    ).toThrow(/media_proc_cfg.patch_size must be a positive integer/);
  });
});

describe("kimi_k25 / kimi_k26 image parts (KimiK25Renderer._encode_multipart_content)", () => {
  const user: Message = {
    role: "user",
    content: [
      { type: "text", text: "look:" },
      { type: "image", image: `data:image/png;base64,${Buffer.from(png(224, 150)).toString("base64")}` },
      { type: "text", text: "what?" },
    ],
  };
  const image = ["<|media_begin|>image<|media_content|>", "IMG:48", "<|media_end|>\n"];
  // render_message: multipart content + a trailing "<|im_end|>" text part, every part encoded on its own.
  const userPieces = ["<|im_user|>user<|im_middle|>", "look:", ...image, "what?", "<|im_end|>"];
  const expand = (ps: string[]) =>
    ps.flatMap((p): (number | string)[] => (p.startsWith("IMG:") ? [p] : ids(p)));

  for (const [name, prefill] of [
    ["kimi_k25", "<think>"],
    ["kimi_k26", "<think>"],
    ["kimi_k25_disable_thinking", "<think></think>"],
    ["kimi_k26_preserve_thinking", "<think>"],
  ] as const) {
    it(`${name}: generation prompt, token for token`, () => {
      const mediaProcessor = name.startsWith("kimi_k26")
        ? KIMI_K26_MEDIA_PROCESSOR
        : KIMI_K25_MEDIA_PROCESSOR;
      const r = getRenderer(name, tok, { mediaProcessor });
      const prompt = r.buildGenerationPrompt([user]);
      expect(pieces(prompt)).toEqual(
        expand([
          "<|im_system|>system<|im_middle|>",
          `${SYS}<|im_end|>`,
          ...userPieces,
          "<|im_assistant|>assistant<|im_middle|>",
          prefill,
        ]),
      );
      const img = prompt.chunks.find((c) => c.type === "image") as ImageChunk;
      expect(img.format).toBe("jpeg");
      expect(Buffer.from(img.data, "base64").subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    });
  }

  it("supervised example: image positions untrained, reply trained, prompt a prefix", () => {
    const r = getRenderer("kimi_k25", tok, { mediaProcessor: KIMI_K25_MEDIA_PROCESSOR });
    const convo: Message[] = [user, { role: "assistant", content: "a cat" }];
    const { modelInput, weights } = r.buildSupervisedExample(convo);
    expect(pieces(modelInput)).toEqual(
      expand([
        "<|im_system|>system<|im_middle|>",
        `${SYS}<|im_end|>`,
        ...userPieces,
        "<|im_assistant|>assistant<|im_middle|>",
        "<think></think>a cat<|im_end|>",
      ]),
    );
    expect(weights.length).toBe(MI.length(modelInput));
    const trained = flat(modelInput).filter((_, i) => weights[i] === 1);
    expect(trained.every((t) => t >= 0)).toBe(true);
    expect(tok.decode(trained)).toContain("a cat<|im_end|>");
  });

  it("an image without a media processor is a clear error naming the option", () => {
    const r = getRenderer("kimi_k25", tok);
    expect(() => r.buildGenerationPrompt([user])).toThrow(RendererError);
    expect(() => r.buildGenerationPrompt([user])).toThrow(/mediaProcessor/);
    expect(() => getRenderer("kimi_k2", tok).buildGenerationPrompt([user])).toThrow(/text-only/);
  });
});

// Invariants over generated conversations with images, kept small (the shared invariants file is CI's slowest).
const RUNS = { numRuns: 6, seed: 20261204 };
const isPrefix = (a: readonly number[], b: readonly number[]) =>
  a.length <= b.length && a.every((x, i) => x === b[i]);

for (const name of ["kimi_k25", "kimi_k26_preserve_thinking"]) {
  const base = RENDERERS.find((s) => s.name === name) as RendererUnderTest;
  const spec: RendererUnderTest = {
    ...base,
    images: true,
    options: { mediaProcessor: KIMI_K25_MEDIA_PROCESSOR },
  };
  describe(`kimi vision invariants: ${name}`, () => {
    const r = getRenderer(name, tok, spec.options);
    it("prompt is a prefix of the example, image tokens untrained, the reply parses back", () => {
      fc.assert(
        fc.property(conversationArb(spec, false), (m) => {
          const { modelInput, weights } = r.buildSupervisedExample(m, "last_assistant_message");
          const tokens = flat(modelInput);
          expect(weights.length).toBe(tokens.length);
          const k = weights.indexOf(1);
          const prompt = flat(r.buildGenerationPrompt(m.slice(0, -1)));
          // With image chunks the cookbook keeps the `<think>` prefill trained (no _train_after_the_generation_prompt).
          expect(isPrefix(prompt, tokens) && k > 0 && k <= prompt.length).toBe(true);
          tokens.forEach((t, i) => {
            if (t < 0) expect(weights[i]).toBe(0);
          });
          const { message, termination } = r.parseResponse(tokens.slice(k));
          expect(termination).toBe("stop_sequence");
          expect(ensureList(message.content)).toEqual(ensureList((m[m.length - 1] as Message).content));
        }),
        RUNS,
      );
    });
  });
}
