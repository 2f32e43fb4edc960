import type { ImageProcessor } from "../image.js";
import type { Renderer } from "../renderer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { RendererOptions } from "../types.js";
import { DeepSeekV3DisableThinkingRenderer, DeepSeekV3ThinkingRenderer } from "./deepseek-v3.js";
import { GptOssRenderer } from "./gpt-oss.js";
import { Llama3Renderer } from "./llama3.js";
import { Qwen3DisableThinkingRenderer, Qwen3InstructRenderer, Qwen3Renderer } from "./qwen3.js";
import { Qwen35DisableThinkingRenderer, Qwen35Renderer } from "./qwen3-5.js";
import { Qwen3VLInstructRenderer, Qwen3VLRenderer } from "./qwen3-vl.js";
import { RoleColonRenderer } from "./role-colon.js";

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
  deepseekv3: (t) => new DeepSeekV3DisableThinkingRenderer(t),
  deepseekv3_disable_thinking: (t) => new DeepSeekV3DisableThinkingRenderer(t),
  deepseekv3_thinking: (t) => new DeepSeekV3ThinkingRenderer(t),
  gpt_oss_no_sysprompt: (t) => new GptOssRenderer(t),
  gpt_oss_low_reasoning: (t) => new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "low" }),
  gpt_oss_medium_reasoning: (t) =>
    new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "medium" }),
  gpt_oss_high_reasoning: (t) => new GptOssRenderer(t, { useSystemPrompt: true, reasoningEffort: "high" }),
};

function vl(o: RendererOptions): { imageProcessor?: ImageProcessor } {
  return o.imageProcessor ? { imageProcessor: o.imageProcessor } : {};
}
