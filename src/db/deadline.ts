// A client-side deadline on database calls. The driver's connect timeout covers a
// server that refuses or never accepts; a server that accepted and then froze
// (paused VM, network black hole) would hold a request forever. Past the deadline
// the call fails as DatabaseUnavailableError (→ 503); the query itself is left to
// finish or fail on its connection.
import type { NotesRepository } from '../notes/repository.js';
import { DatabaseUnavailableError } from './errors.js';

export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The repository with every call, and every batch of a listing, under `ms`. */
export function repositoryWithDeadline(notes: NotesRepository, ms: number): NotesRepository {
  return {
    create: (contents) => withDeadline(notes.create(contents), ms),
    createOnce: (contents, key, ttlMs) => withDeadline(notes.createOnce(contents, key, ttlMs), ms),
    get: (id) => withDeadline(notes.get(id), ms),
    listPage: (limit, after) => withDeadline(notes.listPage(limit, after), ms),
    listAll: () => {
      const batches = notes.listAll()[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => withDeadline(batches.next(), ms),
          return: async (value?: unknown) => batches.return?.(value) ?? { done: true, value: undefined },
        }),
      };
    },
  };
}
