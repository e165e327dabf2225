// NotesRepository at its edges, in a database of this file's own (so totals are
// exact and a slow trigger meets no other test): expired Idempotency-Keys by the
// hundred, creates that miss their deadline, and the last note id there is.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPool } from '../../../src/db/pool.js';
import { EXPIRED_KEYS_PER_CREATE, NoteIdsExhaustedError, notesRepository } from '../../../src/notes/repository.js';
import { MAX_NOTE_ID } from '../../../src/notes/schemas.js';
import { waitFor } from '../../../tools/wait.js';
import { REPOSITORY_OPTIONS, useIsolatedDatabase } from '../../support/database.js';

const database = useIsolatedDatabase();
const repository = () => notesRepository(database.sql(), REPOSITORY_OPTIONS);

/** `count` keys that expired long ago (year 2000, a second apart), all pointing at one note. */
async function expiredKeys(count: number, prefix: string) {
  const sql = database.sql();
  const [note] = await sql<{ id: string }[]>`insert into notes (contents) values ('keyed long ago') returning id`;
  await sql`
    insert into idempotency_keys (key, note_id, created_at)
    select ${prefix} || i, ${note?.id ?? 0}, timestamptz '2000-01-01 00:00:00Z' + i * interval '1 second'
    from generate_series(1, ${count}) as i`;
}
const keysLeft = async (prefix: string) =>
  Number((await database.sql()`select count(*) from idempotency_keys where key like ${`${prefix}%`}`)[0]?.count);

describe('Idempotency-Keys past their time', () => {
  it('takes a key re-sent after it expired as new, even with more expired keys than one create deletes', async () => {
    const notes = repository();
    const key = `deterministic-${randomUUID()}`;
    const first = await notes.createOnce('the first time', key, 60_000);
    await database.sql()`update idempotency_keys set created_at = now() - interval '2 minutes' where key = ${key}`;
    await expiredKeys(EXPIRED_KEYS_PER_CREATE + 50, `backlog-${randomUUID()}-`);

    const again = await notes.createOnce('the first time', key, 60_000);

    expect(again).toMatchObject({ replayed: false, note: { contents: 'the first time' } });
    if (!('note' in again) || !('note' in first)) throw new Error('a new key was taken as reused');
    expect(again.note.id).not.toBe(first.note.id);
    const [row] = await database.sql()`select note_id, created_at > now() - interval '1 minute' as fresh
      from idempotency_keys where key = ${key}`;
    expect(row).toEqual({ note_id: String(again.note.id), fresh: true });
    // And the key is remembered again: the next repeat replays the new note.
    expect(await notes.createOnce('the first time', key, 60_000)).toEqual({ note: again.note, replayed: true });
  });

  it(`deletes the ${EXPIRED_KEYS_PER_CREATE} oldest expired keys with each new keyed create, until none is left`, async () => {
    await database.sql()`delete from idempotency_keys`; // this file's own database: a known start
    const prefix = `expired-${randomUUID()}-`;
    await expiredKeys(EXPIRED_KEYS_PER_CREATE + 50, prefix);
    const notes = repository();

    await notes.createOnce(`new ${randomUUID()}`, randomUUID(), 60_000);
    expect(await keysLeft(prefix)).toBe(50);
    const [oldest] = await database.sql()`select key from idempotency_keys where key like ${`${prefix}%`}
      order by created_at limit 1`;
    expect(oldest?.key).toBe(`${prefix}${EXPIRED_KEYS_PER_CREATE + 1}`); // the oldest went first

    await notes.createOnce(`new ${randomUUID()}`, randomUUID(), 60_000);
    expect(await keysLeft(prefix)).toBe(0);
  });

  it('leaves keys still within their time alone', async () => {
    const notes = repository();
    const kept = randomUUID();
    await notes.createOnce('kept', kept, 3_600_000);
    await notes.createOnce(`another ${randomUUID()}`, randomUUID(), 3_600_000);
    expect(await notes.createOnce('kept', kept, 3_600_000)).toMatchObject({ replayed: true });
  });
});

describe('a create that misses its deadline', () => {
  it('stores nothing when the server reaches it after the deadline (pipelined behind a slow statement)', async () => {
    // One connection, busy for 400 ms: the insert is sent at once, pipelined
    // behind the sleep, and the server only gets to it after its 100 ms deadline.
    const sql = openPool({ ...database.settings(), poolSize: 1 });
    try {
      const notes = notesRepository(sql, REPOSITORY_OPTIONS);
      const contents = `too late ${randomUUID()}`;
      const sleeping = sql`select pg_sleep(0.4)`.execute();
      const create = notes.create(contents, Date.now() + 100).catch((error: unknown) => error);
      await sleeping;
      expect(await create).toBeInstanceOf(Error);
      expect(await database.sql()`select id from notes where contents = ${contents}`).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it('is cancelled on the server when it still runs at the deadline, and stores nothing', async () => {
    const sql = database.sql();
    const contents = `slow ${randomUUID()}`;
    // A trigger that holds only this test's insert for a second, as a slow disk would.
    await sql.unsafe(`
      create or replace function hold_slow_note() returns trigger language plpgsql as $$
      begin
        if new.contents like 'slow %' then perform pg_sleep(1); end if;
        return new;
      end $$;
      create or replace trigger hold_slow_note before insert on notes for each row execute function hold_slow_note();`);
    try {
      const started = performance.now();
      const failure = await repository()
        .create(contents, Date.now() + 150)
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: '57014' }); // canceling statement due to user request
      expect(performance.now() - started).toBeLessThan(900); // cancelled, not waited out
      await waitFor(
        'the cancelled insert is still running',
        async () => {
          const [busy] = await sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and state = 'active' and query like 'insert into notes%'`;
          if (busy?.n !== 0) throw new Error('still running');
        },
        { timeoutMs: 5_000, intervalMs: 20 },
      );
      expect(await sql`select id from notes where contents = ${contents}`).toEqual([]);
    } finally {
      await sql.unsafe('drop trigger hold_slow_note on notes; drop function hold_slow_note()');
    }
  });

  it('is never sent when its deadline has passed before a statement slot frees', async () => {
    const contents = `expired in the queue ${randomUUID()}`;
    const notes = notesRepository(database.sql(), {
      ...REPOSITORY_OPTIONS,
      batching: { maxBatch: 10, maxInFlight: 1 },
    });
    const blocking = notes.create(`ahead ${randomUUID()}`); // takes the only slot
    const queued = notes.create(contents, Date.now() - 1).catch((error: Error) => error.message);
    await blocking;
    expect(await queued).toBe('dropped unsent: its deadline passed while it waited');
    expect(await database.sql()`select id from notes where contents = ${contents}`).toEqual([]);
  });
});

describe('the last note id', () => {
  it('creates notes up to MAX_NOTE_ID with exact ids, then fails without storing anything', async () => {
    const sql = database.sql();
    const notes = repository();
    await sql.unsafe(`alter table notes alter column id restart with ${MAX_NOTE_ID - 1n}`);

    const [last, lastKeyed] = [
      await notes.create(`next to last ${randomUUID()}`),
      await notes.createOnce('last', randomUUID(), 60_000),
    ];
    if (!('note' in lastKeyed)) throw new Error('a new key was taken as reused');

    expect([last.id, lastKeyed.note.id]).toEqual([Number(MAX_NOTE_ID) - 1, Number(MAX_NOTE_ID)]);
    expect(await notes.get(MAX_NOTE_ID)).toEqual(lastKeyed.note);
    expect(await notes.get(MAX_NOTE_ID - 1n)).toEqual(last);
    expect(await notes.listPage(10, MAX_NOTE_ID - 2n)).toEqual({ notes: [last, lastKeyed.note], more: false });
    expect(await notes.listPage(1, MAX_NOTE_ID - 2n)).toEqual({ notes: [last], more: true });

    const key = randomUUID();
    for (const attempt of [() => notes.create('one too many'), () => notes.createOnce('one too many', key, 60_000)]) {
      const failure = await attempt().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(NoteIdsExhaustedError);
      expect((failure as Error).message).toBe('no note id is left: ids end at 9007199254740991');
    }
    expect(await sql`select id from notes where contents = 'one too many'`).toEqual([]);
    expect(await sql`select key from idempotency_keys where key = ${key}`).toEqual([]);
  });
});
