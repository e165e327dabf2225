// Puts every database call of a NotesRepository (and every batch of a listing)
// through `around`: how the deadline and the in-flight gauge reach each call
// without the repository knowing about either.
import type { NotesRepository } from './repository.js';

export type Around = <T>(call: () => Promise<T>) => Promise<T>;

export function wrapRepository(notes: NotesRepository, around: Around): NotesRepository {
  return {
    create: (contents) => around(() => notes.create(contents)),
    createOnce: (contents, key, ttlMs) => around(() => notes.createOnce(contents, key, ttlMs)),
    get: (id) => around(() => notes.get(id)),
    listPage: (limit, after) => around(() => notes.listPage(limit, after)),
    listAll: () => {
      const batches = notes.listAll()[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => around(() => batches.next()),
          return: async (value?: unknown) => batches.return?.(value) ?? { done: true, value: undefined },
        }),
      };
    },
  };
}
