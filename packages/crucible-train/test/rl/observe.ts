import type { Datum, ForwardBackwardOutput, ModelInput, SampleResponse } from "@crucible/tinker-client";
import type { RLServiceClient, RLTrainingClient } from "@crucible/train";

/** What a sampler was asked and what it answered. */
export interface SampleRecord {
  prompt: number[];
  response: SampleResponse;
  /** optim_step calls issued before the sampler's weights were saved (the policy version it samples). */
  samplerStep: number;
}

/** One forward_backward call as the loop made it, with the server's answer once it arrived. */
export interface ForwardBackwardRecord {
  data: Datum[];
  lossFn: string;
  config: Record<string, number> | undefined;
  /** optim_step calls issued before this forward_backward (the version of the weights it trains). */
  optimStepsBefore: number;
  output?: ForwardBackwardOutput;
}

/**
 * Wraps a real service client so the test can see every sample request/response and every datum sent to
 * forward_backward. Calls pass through unchanged.
 */
export function observe(service: RLServiceClient): {
  service: RLServiceClient;
  samples: SampleRecord[];
  sent: Datum[][];
  calls: ForwardBackwardRecord[];
} {
  const samples: SampleRecord[] = [];
  const sent: Datum[][] = [];
  const calls: ForwardBackwardRecord[] = [];
  let optimCalls = 0;
  const toInts = (m: ModelInput) => m.chunks.flatMap((c) => (c.type === "encoded_text" ? c.tokens : []));
  // biome-ignore lint/suspicious/noExplicitAny: proxies forward arbitrary client methods
  const wrapSampler = (s: any, samplerStep: number) =>
    new Proxy(s, {
      get(target, prop, recv) {
        if (prop === "sample") {
          return async (args: { prompt: ModelInput }) => {
            const response = (await target.sample(args)) as SampleResponse;
            samples.push({ prompt: toInts(args.prompt), response, samplerStep });
            return response;
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const wrapTraining = (tc: RLTrainingClient): RLTrainingClient =>
    new Proxy(tc, {
      get(target, prop, recv) {
        if (prop === "forwardBackward") {
          return (data: Datum[], ...rest: unknown[]) => {
            sent.push(data);
            const rec: ForwardBackwardRecord = {
              data,
              lossFn: rest[0] as string,
              config: rest[1] as Record<string, number> | undefined,
              optimStepsBefore: optimCalls,
            };
            calls.push(rec);
            // biome-ignore lint/suspicious/noExplicitAny: pass-through
            const fut = (target.forwardBackward as any)(data, ...rest);
            Promise.resolve(fut).then(
              (out: ForwardBackwardOutput) => {
                rec.output = out;
              },
              () => undefined,
            );
            return fut;
          };
        }
        if (prop === "optimStep") {
          // biome-ignore lint/suspicious/noExplicitAny: pass-through
          return (...args: any[]) => {
            optimCalls++;
            // biome-ignore lint/suspicious/noExplicitAny: pass-through
            return (target.optimStep as any)(...args);
          };
        }
        if (prop === "saveWeightsAndGetSamplingClient")
          return async () => {
            const step = optimCalls;
            return wrapSampler(await target.saveWeightsAndGetSamplingClient(), step);
          };
        if (prop === "createSamplingClient")
          return async (p: string) => {
            const step = optimCalls;
            return wrapSampler(await target.createSamplingClient(p), step);
          };
        const v = Reflect.get(target, prop, recv);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const wrapped: RLServiceClient = new Proxy(service, {
    get(target, prop, recv) {
      if (
        prop === "createLoraTrainingClient" ||
        prop === "createTrainingClientFromState" ||
        prop === "createTrainingClientFromStateWithOptimizer"
      ) {
        // biome-ignore lint/suspicious/noExplicitAny: pass-through
        return async (...args: any[]) => wrapTraining(await (target[prop] as any)(...args));
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { service: wrapped, samples, sent, calls };
}

/** The sample whose prompt + first sequence is the datum's full sequence (input + last target). */
export function sampleOf(samples: readonly SampleRecord[], datum: Datum): SampleRecord | undefined {
  const toks = datum.modelInput.chunks.flatMap((c) => (c.type === "encoded_text" ? c.tokens : []));
  const full = [...toks, datum.lossFnInputs.target_tokens!.data.at(-1)!];
  return samples.find((s) => {
    const cand = [...s.prompt, ...(s.response.sequences[0]?.tokens ?? [])];
    return cand.length === full.length && cand.every((t, i) => t === full[i]);
  });
}
