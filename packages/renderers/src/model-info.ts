import { ConfigurationError, RendererError } from "./errors.js";

/** What the cookbook's model_info.py knows about a model (`ModelAttributes`). */
export interface ModelAttributes {
  organization: string;
  versionStr: string;
  sizeStr: string;
  isChat: boolean;
  /** Renderer names designed for the model, most recommended first. */
  recommendedRenderers: readonly string[];
  isVl: boolean;
  isAudioIn: boolean;
}

const ROLE_COLON = ["role_colon"];
const LLAMA3 = ["llama3"];
const QWEN3 = ["qwen3", "qwen3_disable_thinking"];
const QWEN3_INSTRUCT = ["qwen3_instruct"];
const QWEN3_VL_INSTRUCT = ["qwen3_vl_instruct"];
const QWEN3_5 = ["qwen3_5", "qwen3_5_disable_thinking"];
const QWEN3_8 = [
  "qwen3_8_xhigh_reasoning",
  "qwen3_8_disable_thinking",
  "qwen3_8_medium_reasoning",
  "qwen3_8_low_reasoning",
];
const DEEPSEEKV3 = ["deepseekv3", "deepseekv3_thinking"];
const GPT_OSS = ["gpt_oss_no_sysprompt", "gpt_oss_medium_reasoning"];
const KIMI_K2 = ["kimi_k2"];
const KIMI_K25 = ["kimi_k25", "kimi_k25_disable_thinking"];
const KIMI_K26 = ["kimi_k26", "kimi_k26_disable_thinking", "kimi_k26_preserve_thinking"];
const NEMOTRON3 = ["nemotron3", "nemotron3_disable_thinking", "nemotron3_preserve_thinking"];
const NEMOTRON3_SUPER = [...NEMOTRON3, "nemotron3_low_thinking"];
const NEMOTRON3_ULTRA = [
  "nemotron3_ultra",
  "nemotron3_ultra_disable_thinking",
  "nemotron3_ultra_medium_thinking",
  "nemotron3_ultra_preserve_thinking",
];
const NEMOTRON3_LIGHTNING = [
  "nemotron3_ultra",
  "nemotron3_ultra_disable_thinking",
  "nemotron3_ultra_preserve_thinking",
];
const GLM5_3 = ["glm5_3_max_reasoning", "glm5_3_low_reasoning", "glm5_3_high_reasoning"];
const TML_V0 = ["tml_v0"];

type Row = [version: string, size: string, isChat: boolean, renderers: readonly string[], isVl?: boolean];

/** model_info.py's tables: org → model → attributes. */
const MODELS: Record<string, Record<string, Row>> = {
  "meta-llama": {
    "Llama-3.1-8B-Instruct": ["3.1", "8B", true, LLAMA3],
    "Llama-3.2-1B": ["3.2", "1B", false, ROLE_COLON],
    "Llama-3.2-3B": ["3.2", "3B", false, ROLE_COLON],
    "Llama-3.1-8B": ["3.1", "8B", false, ROLE_COLON],
    "Llama-3.1-70B": ["3.1", "70B", false, ROLE_COLON],
    "Llama-3.3-70B-Instruct": ["3.3", "70B", true, LLAMA3],
  },
  Qwen: {
    "Qwen3-VL-30B-A3B-Instruct": ["3", "30B-A3B", true, QWEN3_VL_INSTRUCT, true],
    "Qwen3-VL-235B-A22B-Instruct": ["3", "235B-A22B", true, QWEN3_VL_INSTRUCT, true],
    "Qwen3-8B-Base": ["3", "8B", false, ROLE_COLON],
    "Qwen3-30B-A3B-Base": ["3", "30B-A3B", false, ROLE_COLON],
    "Qwen3-8B": ["3", "8B", true, QWEN3],
    "Qwen3-32B": ["3", "32B", true, QWEN3],
    "Qwen3-30B-A3B": ["3", "30B-A3B", true, QWEN3],
    "Qwen3-4B-Instruct-2507": ["3", "4B", true, QWEN3_INSTRUCT],
    "Qwen3-30B-A3B-Instruct-2507": ["3", "30B-A3B", true, QWEN3_INSTRUCT],
    "Qwen3-235B-A22B-Instruct-2507": ["3", "235B-A22B", true, QWEN3_INSTRUCT],
    "Qwen3.5-4B": ["3.5", "4B", true, QWEN3_5, true],
    "Qwen3.5-9B": ["3.5", "9B", true, QWEN3_5, true],
    "Qwen3.5-9B-Base": ["3.5", "9B", false, ROLE_COLON, true],
    "Qwen3.5-27B": ["3.5", "27B", true, QWEN3_5, true],
    "Qwen3.5-35B-A3B": ["3.5", "35B-A3B", true, QWEN3_5, true],
    "Qwen3.5-35B-A3B-Base": ["3.5", "35B-A3B", false, ROLE_COLON, true],
    "Qwen3.5-397B-A17B": ["3.5", "397B-A17B", true, QWEN3_5, true],
    "Qwen3.6-27B": ["3.6", "27B", true, QWEN3_5, true],
    "Qwen3.6-35B-A3B": ["3.6", "35B-A3B", true, QWEN3_5, true],
    "Qwen3.8-27B": ["3.8", "27B", true, QWEN3_8, true],
  },
  "deepseek-ai": {
    "DeepSeek-V3.1": ["3", "671B-A37B", true, DEEPSEEKV3],
    "DeepSeek-V3.1-Base": ["3", "671B-A37B", false, ROLE_COLON],
  },
  openai: {
    "gpt-oss-20b": ["1", "21B-A3.6B", true, GPT_OSS],
    "gpt-oss-120b": ["1", "117B-A5.1B", true, GPT_OSS],
  },
  moonshotai: {
    "Kimi-K2-Thinking": ["K2", "1T-A32B", true, KIMI_K2],
    "Kimi-K2.5": ["K2.5", "1T-A32B", true, KIMI_K25, true],
    "Kimi-K2.6": ["K2.6", "1T-A32B", true, KIMI_K26, true],
  },
  // step3p5.py's commit 50d2e87f lists it as version 3.5, size "11B", chat.
  "stepfun-ai": {
    "Step-3.5-Flash": ["3.5", "11B", true, ["step3p5"]],
  },
  "zai-org": {
    "GLM-5.3": ["5.3", "744B-A40B", true, GLM5_3],
  },
  // granite4.py's pull-request commit d4511079: all chat models, version "4.0", size from the name.
  "ibm-granite": Object.fromEntries(
    ["tiny", "small", "medium", "large"].flatMap((size) =>
      ["", "-instruct"].map((suffix) => [
        `granite-4.0-${size}-preview${suffix}`,
        ["4.0", size, true, ["granite4", "granite4_disable_thinking"]],
      ]),
    ),
  ),
  nvidia: {
    "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16": ["3", "30B-A3B", true, NEMOTRON3],
    "NVIDIA-Nemotron-3-Super-120B-A12B-BF16": ["3", "120B-A12B", true, NEMOTRON3_SUPER],
    "NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16": ["3", "550B-A55B", true, NEMOTRON3_ULTRA],
    "NVIDIA-Nemotron-3.5-Lightning-30B-A3B-BF16": ["3.5", "30B-A3B", true, NEMOTRON3_LIGHTNING],
  },
};

/**
 * Attributes of a model (`org/name[:suffix]`). Unknown org → ConfigurationError, unknown name → RendererError.
 * `thinkingmachines/Inkling*` models are chat, vision and audio models rendered by `tml_v0`.
 */
export function getModelAttributes(modelName: string): ModelAttributes {
  const base = modelName.split(":")[0] as string;
  const slash = base.indexOf("/");
  if (slash < 0) throw new ConfigurationError(`model name "${modelName}" must look like "org/name"`);
  const org = base.slice(0, slash);
  const name = base.slice(slash + 1);
  if (base.startsWith("thinkingmachines/Inkling")) {
    return {
      organization: org,
      versionStr: name,
      sizeStr: name,
      isChat: true,
      recommendedRenderers: TML_V0,
      isVl: true,
      isAudioIn: true,
    };
  }
  const table = MODELS[org];
  if (!table)
    throw new ConfigurationError(
      `unknown model organisation "${org}" in "${modelName}"; known: ${Object.keys(MODELS).join(", ")}, thinkingmachines/Inkling*`,
    );
  const row = table[name];
  if (!row)
    throw new RendererError(
      `unknown model "${base}"; pass a renderer name explicitly (known ${org} models: ${Object.keys(table).join(", ")})`,
    );
  const [versionStr, sizeStr, isChat, recommendedRenderers, isVl = false] = row;
  return { organization: org, versionStr, sizeStr, isChat, recommendedRenderers, isVl, isAudioIn: false };
}

/** Every recommended renderer for a model, most recommended first. */
export function getRecommendedRendererNames(modelName: string): string[] {
  return [...getModelAttributes(modelName).recommendedRenderers];
}

export function getRecommendedRendererName(modelName: string): string {
  return getRecommendedRendererNames(modelName)[0] as string;
}

/** Every model in the table, as `org/name` (Inkling models are matched by prefix and not listed). */
export function getKnownModelNames(): string[] {
  return Object.entries(MODELS).flatMap(([org, t]) => Object.keys(t).map((n) => `${org}/${n}`));
}
