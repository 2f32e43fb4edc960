import { describe, expect, it } from "vitest";
import { tinyTokenizerJson } from "../test/tiny-tokenizer.js";
import { ConfigurationError, RendererError } from "./errors.js";
import {
  getKnownModelNames,
  getModelAttributes,
  getRecommendedRendererName,
  getRecommendedRendererNames,
} from "./model-info.js";
import {
  getRegisteredRendererNames,
  getRenderer,
  getRendererNames,
  isRendererRegistered,
  registerRenderer,
  resolveRendererName,
  unregisterRenderer,
  warnIfRendererNotRecommended,
} from "./registry.js";
import { RoleColonRenderer } from "./renderers/role-colon.js";
import { HfJsonTokenizer } from "./tokenizer/tokenizer.js";
import { setRendererWarningHandler } from "./warnings.js";

const tok = new HfJsonTokenizer("tiny", "memory", {
  tokenizerJson: tinyTokenizerJson(),
  tokenizerConfig: {},
});

describe("model → renderer table (model_info_test.py)", () => {
  it("recommended renderers", () => {
    expect(getRecommendedRendererName("Qwen/Qwen3.6-35B-A3B")).toBe("qwen3_5");
    expect(getRecommendedRendererName("Qwen/Qwen3.5-9B-Base")).toBe("role_colon");
    expect(getRecommendedRendererName("meta-llama/Llama-3.1-8B-Instruct")).toBe("llama3");
    expect(getRecommendedRendererName("meta-llama/Llama-3.2-1B:peft:131072")).toBe("role_colon");
    expect(getRecommendedRendererNames("Qwen/Qwen3-8B")).toEqual(["qwen3", "qwen3_disable_thinking"]);
    expect(getRecommendedRendererNames("openai/gpt-oss-20b")).toEqual([
      "gpt_oss_no_sysprompt",
      "gpt_oss_medium_reasoning",
    ]);
    expect(getRecommendedRendererName("deepseek-ai/DeepSeek-V3.1")).toBe("deepseekv3");
    expect(getRecommendedRendererName("Qwen/Qwen3.8-27B")).toBe("qwen3_8_xhigh_reasoning");
    expect(getRecommendedRendererName("zai-org/GLM-5.3:peft:262144")).toBe("glm5_3_max_reasoning");
  });
  it("unknown organisation → ConfigurationError, unknown model → RendererError", () => {
    expect(() => getRecommendedRendererName("acme/x")).toThrow(ConfigurationError);
    expect(() => getRecommendedRendererName("Qwen/Qwen9")).toThrow(RendererError);
  });
  it("warns for a non-recommended renderer, silent for unknown models or no renderer", () => {
    const seen: string[] = [];
    const prev = setRendererWarningHandler((m) => seen.push(m));
    try {
      warnIfRendererNotRecommended("Qwen/Qwen3-8B", "qwen3");
      warnIfRendererNotRecommended("acme/x", "qwen3");
      warnIfRendererNotRecommended("Qwen/Qwen3-8B", null);
      expect(seen).toEqual([]);
      warnIfRendererNotRecommended("Qwen/Qwen3-8B", "llama3");
      expect(seen).toHaveLength(1);
      getRenderer("qwen3_instruct", tok, { modelName: "Qwen/Qwen3-8B" });
      expect(seen).toHaveLength(2);
      expect(seen[0]).toContain('Renderer "llama3" is not recommended for model Qwen/Qwen3-8B');
    } finally {
      setRendererWarningHandler(prev);
    }
  });
  it("explicit > checkpoint metadata > recommended", () => {
    expect(resolveRendererName("Qwen/Qwen3-8B", "llama3", "qwen3_instruct")).toBe("llama3");
    expect(resolveRendererName("Qwen/Qwen3-8B", undefined, "qwen3_instruct")).toBe("qwen3_instruct");
    expect(resolveRendererName("Qwen/Qwen3-8B")).toBe("qwen3");
  });
});

describe("renderer registry", () => {
  it("knows every built-in renderer of the issue", () => {
    for (const name of [
      "role_colon",
      "llama3",
      "qwen3",
      "qwen3_disable_thinking",
      "qwen3_instruct",
      "qwen3_5",
      "qwen3_5_disable_thinking",
      "deepseekv3",
      "deepseekv3_disable_thinking",
      "deepseekv3_thinking",
      "gpt_oss_no_sysprompt",
      "gpt_oss_low_reasoning",
      "gpt_oss_medium_reasoning",
      "gpt_oss_high_reasoning",
      "glm5_3_max_reasoning",
      "glm5_3_low_reasoning",
      "glm5_3_high_reasoning",
    ]) {
      expect(getRendererNames()).toContain(name);
      expect(getRenderer(name, tok).name).toBe(name === "deepseekv3_disable_thinking" ? "deepseekv3" : name);
    }
    expect(() => getRenderer("nope", tok)).toThrow(/unknown renderer "nope"/);
  });
  it("custom renderers take precedence and can be removed", () => {
    class Shouty extends RoleColonRenderer {
      override readonly name = "shouty";
    }
    registerRenderer("role_colon", (t) => new Shouty(t));
    registerRenderer("shouty", (t) => new Shouty(t));
    try {
      expect(isRendererRegistered("shouty")).toBe(true);
      expect(getRegisteredRendererNames()).toEqual(["role_colon", "shouty"]);
      expect(getRenderer("role_colon", tok)).toBeInstanceOf(Shouty);
    } finally {
      unregisterRenderer("role_colon");
      unregisterRenderer("shouty");
    }
    expect(getRenderer("role_colon", tok)).not.toBeInstanceOf(Shouty);
    expect(isRendererRegistered("shouty")).toBe(false);
  });
});

describe("model table (model_info.py)", () => {
  it("every recommended renderer of every known model is a built-in renderer", () => {
    const names = new Set(getRendererNames());
    for (const model of getKnownModelNames()) {
      for (const r of getRecommendedRendererNames(model)) expect(names.has(r), `${model}: ${r}`).toBe(true);
    }
  });
  it("attributes: Kimi K2.6 is a VL chat model; Nemotron Super adds low thinking; Inkling → tml_v0", () => {
    expect(getModelAttributes("moonshotai/Kimi-K2.6")).toMatchObject({
      isChat: true,
      isVl: true,
      versionStr: "K2.6",
    });
    expect(getRecommendedRendererNames("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16")).toContain(
      "nemotron3_low_thinking",
    );
    expect(getModelAttributes("thinkingmachines/Inkling-1:x")).toMatchObject({
      recommendedRenderers: ["tml_v0"],
      isAudioIn: true,
    });
  });
});
