// fast-check properties that give the event loop a turn before every run. The renderer invariants run 25
// conversations per property synchronously; under CI load one property took 15-30 s, and vitest's worker must
// answer its runner within 60 s. With a setImmediate before each run, the longest block is one conversation.
import fc from "fast-check";

type Arbitraries<Ts extends unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };
/** Fails on `false` or a throw (expect), as in fast-check. */
type Predicate<Ts extends unknown[]> = (...values: Ts) => unknown;

export function yieldingProperty<Ts extends [unknown, ...unknown[]]>(
  ...args: [...arbitraries: Arbitraries<Ts>, predicate: Predicate<Ts>]
): fc.IAsyncPropertyWithHooks<Ts> {
  const predicate = args[args.length - 1] as Predicate<Ts>;
  const arbitraries = args.slice(0, -1) as unknown as Arbitraries<Ts>;
  return fc.asyncProperty(...arbitraries, async (...values: Ts) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return predicate(...values) !== false;
  });
}
