import { CapacityError } from "./memory.js";

/** A device allocation failure (the addon prefixes them "out of memory:") becomes a CapacityError. */
function asCapacity(e: unknown): never {
  if (e instanceof Error && e.message.startsWith("out of memory:")) {
    throw new CapacityError(
      `${e.message.split("\n")[0]} (the request was not applied; retry with less work)`,
    );
  }
  throw e;
}

/** Runs native work one call at a time: two concurrent torch calls would oversubscribe the cores. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn).catch(asCapacity);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
