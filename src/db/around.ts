// Puts every call of an object's methods through one function, `around`: how
// the query deadline and the metrics reach each database call of the repository
// without restating its methods (a new method is covered as it is added). A
// method that returns an async iterable (the listing) has each step of the
// iteration wrapped instead, so every batch gets its own deadline. The object's
// own methods are wrapped, as notesRepository returns them; they must be async.
export type Around = <T>(call: () => Promise<T>) => Promise<T>;

export function aroundEachCall<T extends object>(target: T, around: Around): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      const result = value.apply(target, args);
      return isAsyncIterable(result) ? iterateAround(result, around) : around(() => Promise.resolve(result));
    };
  }
  return wrapped as T;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function iterateAround<T>(iterable: AsyncIterable<T>, around: Around): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const steps = iterable[Symbol.asyncIterator]();
      return {
        next: () => around(() => steps.next()),
        return: async (value?: unknown) => steps.return?.(value) ?? { done: true, value: undefined },
      };
    },
  };
}
