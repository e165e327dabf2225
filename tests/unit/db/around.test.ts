// The one wrapper for cross-cutting repository concerns: every method, and every
// step of an iteration, goes through `around`; and the deadline guard built on it.
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { type Around, aroundEachCall } from '../../../src/db/around.js';
import { guardDatabaseCalls, withDeadline } from '../../../src/db/deadline.js';
import { collect } from '../../support/collect.js';
import { inMemoryNotes } from '../../support/in-memory-notes.js';

/** An `around` that counts the calls it sees. */
function counting() {
  const seen = { calls: 0 };
  const around: Around = (call) => {
    seen.calls++;
    return call();
  };
  return { seen, around };
}

describe('aroundEachCall', () => {
  it('puts every method of the repository through around, with its arguments and result', async () => {
    const { seen, around } = counting();
    const notes = aroundEachCall(inMemoryNotes(), around);
    const note = await notes.create('one');
    expect(await notes.get(BigInt(note.id))).toEqual(note);
    expect(await notes.createOnce('two', 'key', 1_000)).toMatchObject({ replayed: false });
    expect((await notes.listPage(10, 0n)).notes).toHaveLength(2);
    expect(seen.calls).toBe(4);
  });

  it('wraps each step of a listing, not the call that starts it', async () => {
    const { seen, around } = counting();
    const base = inMemoryNotes();
    for (const contents of ['a', 'b', 'c']) await base.create(contents);
    const batches = await collect(aroundEachCall(base, around).listAll());
    expect(batches.flat().map((note) => note.contents)).toEqual(['a', 'b', 'c']);
    expect(seen.calls).toBe(batches.length + 1); // each batch, and the step that finds the end
  });

  it('covers a method added later without being told about it', async () => {
    const { seen, around } = counting();
    const wrapped = aroundEachCall({ count: async () => 42 }, around);
    expect(await wrapped.count()).toBe(42);
    expect(seen.calls).toBe(1);
  });

  it('passes a rejection through around', async () => {
    const failure = new Error('boom');
    const wrapped = aroundEachCall({ fail: () => Promise.reject(failure) }, (call) => call());
    await expect(wrapped.fail()).rejects.toBe(failure);
  });
});

describe('guardDatabaseCalls', () => {
  const guard = guardDatabaseCalls(100);

  it('turns a refused connection and a statement timeout into DatabaseUnavailableError, keeping the cause', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '57014' });
    for (const error of [refused, timedOut]) {
      const failure = await guard(() => Promise.reject(error)).catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect((failure as Error).cause).toBe(error);
    }
  });

  it('lets a query bug through as it is (a 500, not a 503)', async () => {
    const bug = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '42P01' });
    await expect(guard(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('fails a call that outlives the deadline as DatabaseUnavailableError', async () => {
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, 20)).rejects.toThrow(
      new DatabaseUnavailableError('the database did not answer within 20 ms'),
    );
  });

  it('answers with the result when it comes in time', async () => {
    await expect(guard(async () => 'row')).resolves.toBe('row');
  });
});
