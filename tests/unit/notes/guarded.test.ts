// Every repository method under the guard, and the deadline handed on to the
// coalesced ones (create, get), so their queued work can be dropped.
import { describe, expect, it } from 'vitest';
import type { Guard } from '../../../src/db/around.js';
import { guardedNotes } from '../../../src/notes/guarded.js';
import type { NotesRepository } from '../../../src/notes/repository.js';
import { collect } from '../../support/collect.js';
import { inMemoryNotes } from '../../support/in-memory-notes.js';

const DEADLINE = 1_234_567;

/** A guard that counts its calls and hands each the same deadline. */
function counting() {
  const seen = { calls: 0 };
  const guard: Guard = (call) => {
    seen.calls++;
    return call(DEADLINE);
  };
  return { seen, guard };
}

describe('guardedNotes', () => {
  it('puts every method through the guard, with its arguments and result', async () => {
    const { seen, guard } = counting();
    const notes = guardedNotes(inMemoryNotes(), guard);
    const note = await notes.create({ contents: 'one', category: 'work' });
    expect(await notes.get(BigInt(note.id))).toEqual(note);
    expect(await notes.createOnce({ contents: 'two', category: 'home' }, 'key', 1_000)).toMatchObject({
      replayed: false,
      note: { contents: 'two', category: 'home' },
    });
    expect((await notes.listPage(10, 0n)).notes.map((n) => n.contents)).toEqual(['one', 'two']);
    expect((await notes.listPage(10, 0n, 'home')).notes.map((n) => n.contents)).toEqual(['two']);
    expect((await collect(notes.listAll('work'))).flat().map((n) => n.contents)).toEqual(['one']);
    expect(await notes.delete(BigInt(note.id))).toEqual(note);
    expect(await notes.delete(BigInt(note.id))).toBeUndefined();
    expect(seen.calls).toBe(9); // the listing twice: its one batch, and the step that finds no more
  });

  it('hands the deadline to create and get', async () => {
    const deadlines: Array<[string, number | undefined]> = [];
    const base = inMemoryNotes();
    const spy: NotesRepository = {
      ...base,
      create: (contents, deadline) => {
        deadlines.push(['create', deadline]);
        return base.create(contents);
      },
      get: (id, deadline) => {
        deadlines.push(['get', deadline]);
        return base.get(id);
      },
    };
    const notes = guardedNotes(spy, counting().guard);
    await notes.get(BigInt((await notes.create({ contents: 'x', category: '' })).id));
    expect(deadlines).toEqual([
      ['create', DEADLINE],
      ['get', DEADLINE],
    ]);
  });

  it('guards each batch of the listing, not the call that starts it', async () => {
    const { seen, guard } = counting();
    const base = inMemoryNotes();
    for (const contents of ['a', 'b', 'c']) await base.create({ contents: contents, category: '' });
    const batches = await collect(guardedNotes(base, guard).listAll());
    expect(batches.flat().map((note) => note.contents)).toEqual(['a', 'b', 'c']);
    expect(seen.calls).toBe(batches.length + 1); // each batch, and the step that finds the end
  });
});
