import type { Datum, ForwardBackwardOutput, ModelInput, SampleResponse } from "@crucible/tinker-client";
import type { RLServiceClient, RLTrainingClient } from "@crucible/train";

/** What a sampler was asked and what it answered. */
export interface SampleRecord {
  prompt: number[];
  response: SampleResponse;
}

/** One forward_backward call as the loop made it, with the server's answer once it arrived. */
export interface ForwardBackwardRecord {
  data: Datum[];
  lossFn: string;
  config: Record<string, number> | undefined;
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
  const toInts = (m: ModelInput) => m.chunks.flatMap((c) => (c.type === "encoded_text" ? c.tokens : []));
  // biome-ignore lint/suspicious/noExplicitAny: proxies forward arbitrary client methods
  const wrapSampler = (s: any) =>
    new Proxy(s, {
      get(target, prop, recv) {
        if (prop === "sample") {
          return async (args: { prompt: ModelInput }) => {
            const response = (await target.sample(args)) as SampleResponse;
            samples.push({ prompt: toInts(args.prompt), response });
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
        if (prop === "saveWeightsAndGetSamplingClient")
          return async () => wrapSampler(await target.saveWeightsAndGetSamplingClient());
        if (prop === "createSamplingClient")
          return async (p: string) => wrapSampler(await target.createSamplingClient(p));
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
