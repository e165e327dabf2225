// How cross-cutting concerns (the query deadline, metrics) reach each database
// call: a Guard runs a call and hands it the moment its caller stops waiting, so
// that work still queued or running for a caller who got its 503 can be dropped
// or cancelled. A repository is wrapped method by method, written out in its
// feature (a guarded.ts beside it), so the compiler checks that each is covered.

/** Runs `call` under the guard; `deadline` is the Date.now() past which nobody waits for its answer. */
export type Guard = <T>(call: (deadline: number) => Promise<T>) => Promise<T>;

/** A concern that only needs to see the call start and end (a metric), as a Guard around another. */
export type Around = <T>(call: () => Promise<T>) => Promise<T>;

/** `inner` with `outer` around it: outer sees each call start before inner does, and end after. */
export function within(outer: Around, inner: Guard): Guard {
  return (call) => outer(() => inner(call));
}

/**
 * An iteration with each step under the guard, not the call that starts it: a
 * listing of many batches gets a deadline per batch, never one for the whole download.
 */
export function guardSteps<T>(iterable: AsyncIterable<T>, guard: Guard): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const steps = iterable[Symbol.asyncIterator]();
      return {
        next: () => guard(() => steps.next()),
        return: async (value?: unknown) => steps.return?.(value) ?? { done: true, value: undefined },
      };
    },
  };
}
