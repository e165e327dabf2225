// NotesRepository's creates against their deadline, in a database of this file's
// own (a trigger that holds its inserts, as a slow disk would, meets no other
// file): a create that misses it stores nothing, one that makes it is stored. The
// tests mostly wait, on deadlines and held statements, so they run at once; each
// has its own contents, and the trigger holds only those that ask for it.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { openPool } from '../../../src/db/pool.js';
import { notesRepository } from '../../../src/notes/repository.js';
import { waitFor } from '../../../tools/wait.js';
import { describeAtOnce } from '../../support/at-once.js';
import { REPOSITORY_OPTIONS, useIsolatedDatabase } from '../../support/database.js';
import { startRelay } from '../../support/relay.js';

const database = useIsolatedDatabase();

// A trigger that holds some inserts, as a slow disk would; made once, before any test here
// (a beforeAll inside the block below would run beside its other tests, and DDL then
// would queue their inserts behind its lock).
beforeAll(() =>
  database.sql().unsafe(`
      create function hold_slow_note() returns trigger language plpgsql as $$
      begin
        -- 'held 150 ms …' sleeps 150 ms before it is inserted.
        if new.contents ~ '^held [0-9]+ ms ' then
          perform pg_sleep(substring(new.contents from '^held ([0-9]+) ms')::int / 1000.0);
        end if;
        return new;
      end $$;
      create trigger hold_slow_note before insert on notes for each row execute function hold_slow_note();`),
);

describeAtOnce('a create and its deadline', () => {
  it('stores nothing when the statement reaches the server after the deadline (a slow link)', async ({
    onTestFinished,
  }) => {
    // The relay holds what the client sends for 250 ms: the insert, sent at once,
    // arrives 200 ms past its deadline, and so would a cancel sent at the deadline.
    const { host, port } = database.settings();
    const relay = await startRelay(host, port, onTestFinished);
    const sql = openPool({ ...database.settings(), port: relay.port, poolSize: 1 });
    try {
      const notes = notesRepository(sql, REPOSITORY_OPTIONS);
      await notes.get(1n); // the connection is up before the link slows
      relay.delayRequests(250);
      const contents = `too late ${randomUUID()}`;
      const failure = await notes
        .create({ contents: contents, category: '' }, Date.now() + 50)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect((failure as Error).message).toBe('the database got the insert after its deadline: nothing was stored');
      expect(await database.sql()`select id from notes where contents = ${contents}`).toEqual([]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('is never sent when its deadline passes while it waits for a connection of the pool', async () => {
    const sql = openPool({ ...database.settings(), poolSize: 1 });
    try {
      const notes = notesRepository(sql, REPOSITORY_OPTIONS);
      const sleeping = sql`select pg_sleep(0.25)`.execute();
      const contents = `unsent ${randomUUID()}`;
      const failure = await notes
        .create({ contents: contents, category: '' }, Date.now() + 100)
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: '57014', message: '57014: canceling statement due to user request' });
      await sleeping;
      expect(await database.sql()`select id from notes where contents = ${contents}`).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  describe('with a trigger that holds some inserts, as a slow disk would', () => {
    const held = (ms: number) => `held ${ms} ms ${randomUUID()}`;
    const stored = async (contents: string) =>
      (await database.sql()`select id from notes where contents = ${contents}`).length;

    it('cancels a create still running at its deadline, which stores nothing', async () => {
      const contents = held(1_000);
      const sql = openPool({ ...database.settings(), poolSize: 1 });
      try {
        const [{ pid } = { pid: 0 }] = await sql<Array<{ pid: number }>>`select pg_backend_pid() as pid`;
        const started = performance.now();
        const failure = await notesRepository(sql, REPOSITORY_OPTIONS)
          .create({ contents: contents, category: '' }, Date.now() + 150)
          .catch((error: unknown) => error);
        expect(failure).toMatchObject({ code: '57014' }); // canceling statement due to user request
        expect(performance.now() - started).toBeLessThan(900); // cancelled, not waited out
        await waitFor(
          'the cancelled insert is still running',
          async () => {
            const [busy] = await database.sql()`select count(*)::int as n from pg_stat_activity
              where pid = ${pid} and state = 'active' and query like 'insert into notes%'`;
            if (busy?.n !== 0) throw new Error('still running');
          },
          { timeoutMs: 5_000, intervalMs: 20 },
        );
        expect(await stored(contents)).toBe(0);
      } finally {
        await sql.end();
      }
    });

    it('lets a slow create that ends before its deadline be stored, and its deadline cancel nothing later', async () => {
      const sql = openPool({ ...database.settings(), poolSize: 1 });
      try {
        const notes = notesRepository(sql, REPOSITORY_OPTIONS);
        const contents = held(100);
        const note = await notes.create({ contents: contents, category: '' }, Date.now() + 400);
        expect(note.contents).toBe(contents);
        // Still busy on the same connection when that deadline comes: not cancelled by it.
        expect(await sql`select pg_sleep(0.4)::text as slept`).toEqual([{ slept: '' }]);
        expect(await stored(contents)).toBe(1);
      } finally {
        await sql.end();
      }
    });
  });

  it('is never sent when its deadline has passed before a statement slot frees', async () => {
    const contents = `expired in the queue ${randomUUID()}`;
    const notes = notesRepository(database.sql(), {
      ...REPOSITORY_OPTIONS,
      batching: { maxBatch: 10, maxInFlight: 1 },
    });
    const blocking = notes.create({ contents: `ahead ${randomUUID()}`, category: '' }); // takes the only slot
    const queued = notes
      .create({ contents: contents, category: '' }, Date.now() - 1)
      .catch((error: Error) => error.message);
    await blocking;
    expect(await queued).toBe('dropped unsent: its deadline passed while it waited');
    expect(await database.sql()`select id from notes where contents = ${contents}`).toEqual([]);
  });
});
