import type { ImageProcessor } from "../image.js";
import type { KimiMediaProcessor } from "../kimi-image.js";
import type { Renderer } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { RendererOptions } from "../types.js";
import { DeepSeekV3DisableThinkingRenderer, DeepSeekV3ThinkingRenderer } from "./deepseek-v3.js";
import { Glm53Renderer } from "./glm5-3.js";
import { GptOssRenderer } from "./gpt-oss.js";
import { Granite4DisableThinkingRenderer, Granite4Renderer } from "./granite4.js";
import { KimiK2Renderer } from "./kimi-k2.js";
import {
  KimiK25DisableThinkingRenderer,
  KimiK25Renderer,
  KimiK26PreserveThinkingRenderer,
} from "./kimi-k25.js";
import { Llama3Renderer } from "./llama3.js";
import {
  Nemotron3DisableThinkingRenderer,
  Nemotron3LowThinkingRenderer,
  Nemotron3PreserveThinkingRenderer,
  Nemotron3Renderer,
  Nemotron3UltraDisableThinkingRenderer,
  Nemotron3UltraMediumThinkingRenderer,
  Nemotron3UltraPreserveThinkingRenderer,
  Nemotron3UltraRenderer,
} from "./nemotron3.js";
import { Qwen3DisableThinkingRenderer, Qwen3InstructRenderer, Qwen3Renderer } from "./qwen3.js";
import { Qwen35DisableThinkingRenderer, Qwen35Renderer } from "./qwen3-5.js";
import { Qwen38DisableThinkingRenderer, Qwen38Renderer } from "./qwen3-8.js";
import { Qwen3VLInstructRenderer, Qwen3VLRenderer } from "./qwen3-vl.js";
import { RoleColonRenderer } from "./role-colon.js";
import { Step3p5FlashRenderer } from "./step3p5.js";

type Factory = (tokenizer: Tokenizer, options: RendererOptions) => Renderer;

/** Built-in renderers by registry name. */
export const builtinRenderers: Record<string, Factory> = {
  role_colon: (t) => new RoleColonRenderer(t),
  llama3: (t) => new Llama3Renderer(t),
  qwen3: (t) => new Qwen3Renderer(t),
  qwen3_disable_thinking: (t) => new Qwen3DisableThinkingRenderer(t),
  qwen3_instruct: (t) => new Qwen3InstructRenderer(t),
  qwen3_vl: (t, o) => new Qwen3VLRenderer(t, vl(o)),
  qwen3_vl_instruct: (t, o) => new Qwen3VLInstructRenderer(t, vl(o)),
  qwen3_5: (t, o) => new Qwen35Renderer(t, vl(o)),
  qwen3_5_disable_thinking: (t, o) => new Qwen35DisableThinkingRenderer(t, vl(o)),
  qwen3_8_xhigh_reasoning: (t, o) => new Qwen38Renderer(t, { ...vl(o), reasoningEffort: "xhigh" }),
  qwen3_8_medium_reasoning: (t, o) => new Qwen38Renderer(t, { ...vl(o), reasoningEffort: "medium" }),
  qwen3_8_low_reasoning: (t, o) => new Qwen38Renderer(t, { ...vl(o), reasoningEffort: "low" }),
  qwen3_8_disable_thinking: (t, o) => new Qwen38DisableThinkingRenderer(t, vl(o)),
  deepseekv3: (t) => new DeepSeekV3DisableThinkingRenderer(t),
  deepseekv3_disable_thinking: (t) => new DeepSeekV3DisableThinkingRenderer(t),
  deepseekv3_thinking: (t) => new DeepSeekV3ThinkingRenderer(t),
  glm5_3_max_reasoning: (t) => new Glm53Renderer(t),
  glm5_3_low_reasoning: (t) => new Glm53Renderer(t, { reasoningEffort: "Low" }),
  glm5_3_high_reasoning: (t) => new Glm53Renderer(t, { reasoningEffort: "High" }),
  kimi_k2: (t) => new KimiK2Renderer(t),
  kimi_k25: (t, o) => new KimiK25Renderer(t, kimi(o)),
  kimi_k25_disable_thinking: (t, o) => new KimiK25DisableThinkingRenderer(t, kimi(o)),
  // K2.6 renders exactly as K2.5 (the cookbook dispatches both names to the K2.5 classes).
  kimi_k26: (t, o) => new KimiK25Renderer(t, kimi(o)),
  kimi_k26_disable_thinking: (t, o) => new KimiK25DisableThinkingRenderer(t, kimi(o)),
  kimi_k26_preserve_thinking: (t, o) => new KimiK26PreserveThinkingRenderer(t, kimi(o)),
  nemotron3: (t) => new Nemotron3Renderer(t),
  nemotron3_low_thinking: (t) => new Nemotron3LowThinkingRenderer(t),
  nemotron3_disable_thinking: (t) => new Nemotron3DisableThinkingRenderer(t),
  nemotron3_preserve_thinking: (t) => new Nemotron3PreserveThinkingRenderer(t),
  nemotron3_ultra: (t) => new Nemotron3UltraRenderer(t),
  nemotron3_ultra_disable_thinking: (t) => new Nemotron3UltraDisableThinkingRenderer(t),
  nemotron3_ultra_medium_thinking: (t) => new Nemotron3UltraMediumThinkingRenderer(t),
  nemotron3_ultra_preserve_thinking: (t) => new Nemotron3UltraPreserveThinkingRenderer(t),
  step3p5: (t) => new Step3p5FlashRenderer(t),
  granite4: (t) => new Granite4Renderer(t),
  granite4_disable_thinking: (t) => new Granite4DisableThinkingRenderer(t),
  gpt_oss_no_sysprompt: (t) => new GptOssRenderer(t),
  gpt_oss_low_reasoning: (t) => new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "low" }),
  gpt_oss_medium_reasoning: (t) =>
    new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "medium" }),
  gpt_oss_high_reasoning: (t) => new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "high" }),
};

function vl(o: RendererOptions): { imageProcessor?: ImageProcessor } {
  return o.imageProcessor ? { imageProcessor: o.imageProcessor } : {};
}

function kimi(o: RendererOptions): { mediaProcessor?: KimiMediaProcessor } {
  return o.mediaProcessor ? { mediaProcessor: o.mediaProcessor } : {};
}
