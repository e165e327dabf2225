// The repository with each call under a Guard (the query deadline, and metrics
// when enabled), method by method: a method added to NotesRepository fails to
// compile here until it is guarded too. Each call is handed its deadline, so
// coalesced work is dropped or stopped once its caller got the 503.
import { type Guard, guardSteps } from '../db/around.js';
import type { NotesRepository } from './repository.js';

export function guardedNotes(notes: NotesRepository, guard: Guard): NotesRepository {
  return {
    create: (input) => guard((deadline) => notes.create(input, deadline)),
    createOnce: (input, key, ttlMs) => guard(() => notes.createOnce(input, key, ttlMs)),
    get: (id) => guard((deadline) => notes.get(id, deadline)),
    listAll: (category) => guardSteps(notes.listAll(category), guard),
    listPage: (limit, after, category) => guard(() => notes.listPage(limit, after, category)),
    delete: (id) => guard(() => notes.delete(id)),
  };
}
