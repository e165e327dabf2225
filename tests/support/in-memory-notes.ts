// A test double of NotesRepository for the unit tier: the HTTP layer without a database.
import type { NotesRepository } from '../../src/notes/repository.js';
import type { Note } from '../../src/notes/schemas.js';

export function inMemoryNotes(): NotesRepository {
  const notes: Note[] = [];
  const deleted = new Set<number>();
  const keys = new Map<string, Note>();
  const live = (category?: string) =>
    notes.filter((note) => !deleted.has(note.id) && (category === undefined || note.category === category));
  return {
    async createOnce(input, key) {
      const previous = keys.get(key);
      if (previous) {
        const same = previous.contents === input.contents && previous.category === input.category;
        return same ? { note: previous, replayed: true } : { keyReused: true };
      }
      const note = await this.create(input);
      keys.set(key, note);
      return { note, replayed: false };
    },
    async create({ contents, category }) {
      const note = { id: notes.length + 1, contents, category, creation_date: new Date().toISOString() };
      notes.push(note);
      return note;
    },
    async get(id) {
      return live().find((note) => BigInt(note.id) === id);
    },
    async *listAll(category) {
      const all = live(category);
      for (let i = 0; i < all.length; i += 2) yield all.slice(i, i + 2); // batches, like the repository's
    },
    async listPage(limit, after, category) {
      const rest = live(category).filter((note) => BigInt(note.id) > after);
      return { notes: rest.slice(0, limit), more: rest.length > limit };
    },
    async delete(id) {
      const note = await this.get(id);
      if (note) deleted.add(note.id);
      return note;
    },
  };
}
