// A chat model over any Tinker sampling client: renders the conversation with the renderer, samples, parses the
// answer back into text. Transient sampling failures are retried with backoff.
import type { EnvRenderer, SamplingClientLike } from "@crucible/env";
import { getTextContent } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import type { ChatMessage, GenerateConfig, ModelOutput, StopReason } from "./types.js";

export interface ChatModelOptions {
  samplingClient: SamplingClientLike;
  renderer: EnvRenderer;
  /** Name recorded in logs (base model or tinker:// path). */
  name: string;
  /** Defaults for every call (a call's own config wins). */
  config?: GenerateConfig;
  /** Attempts per call beyond the first (default 2). */
  retries?: number;
}

export interface ChatModel {
  readonly name: string;
  generate(messages: readonly ChatMessage[], config?: GenerateConfig): Promise<ModelOutput>;
}

const DEFAULT_MAX_TOKENS = 512;

export function chatModel(o: ChatModelOptions): ChatModel {
  const retries = o.retries ?? 2;
  return {
    name: o.name,
    async generate(messages, config = {}) {
      const c = { ...o.config, ...config };
      const prompt = o.renderer.buildGenerationPrompt(
        messages.map((m) => ({ role: m.role, content: m.content })),
      );
      const rendererStop = o.renderer.getStopSequences();
      // Renderers stop on token ids or on strings; extra stop strings are only combinable with strings.
      const stop =
        c.stop?.length && rendererStop.every((s) => typeof s === "string")
          ? [...(rendererStop as string[]), ...c.stop]
          : rendererStop;
      const started = performance.now();
      let lastError: unknown;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        try {
          const res = await o.samplingClient.sample({
            prompt,
            numSamples: 1,
            samplingParams: {
              stop,
              maxTokens: c.maxTokens ?? DEFAULT_MAX_TOKENS,
              temperature: c.temperature ?? 0,
            },
          });
          const seq = res.sequences[0];
          if (!seq) throw new Error("the sampler returned no sequence");
          const parsed = o.renderer.parseResponse(seq.tokens);
          let completion = getTextContent(parsed.message);
          for (const s of c.stop ?? []) {
            const at = completion.indexOf(s);
            if (at >= 0) completion = completion.slice(0, at);
          }
          const stopReason: StopReason =
            seq.stopReason === "length" ? "max_tokens" : seq.stopReason === "stop" ? "stop" : "unknown";
          return {
            model: o.name,
            completion,
            stopReason,
            inputTokens: ModelInput.length(prompt),
            outputTokens: seq.tokens.length,
            time: (performance.now() - started) / 1000,
          };
        } catch (e) {
          lastError = e;
        }
      }
      throw lastError;
    },
  };
}
