// A test double of NotesRepository for the unit tier: the HTTP layer without a database.
import type { NotesRepository } from '../../src/notes/repository.js';
import type { Note } from '../../src/notes/schemas.js';

export function inMemoryNotes(): NotesRepository {
  const notes: Note[] = [];
  const keys = new Map<string, Note>();
  return {
    async createOnce(contents, key) {
      const previous = keys.get(key);
      if (previous) return previous.contents === contents ? { note: previous, replayed: true } : { keyReused: true };
      const note = await this.create(contents);
      keys.set(key, note);
      return { note, replayed: false };
    },
    async create(contents) {
      const note = { id: notes.length + 1, contents, creation_date: new Date().toISOString() };
      notes.push(note);
      return note;
    },
    async get(id) {
      return notes.find((note) => BigInt(note.id) === id);
    },
    async *listAll() {
      for (let i = 0; i < notes.length; i += 2) yield notes.slice(i, i + 2); // batches, like the repository's
    },
    async listPage(limit, after) {
      const rest = notes.filter((note) => BigInt(note.id) > after);
      return { notes: rest.slice(0, limit), more: rest.length > limit };
    },
  };
}
