// NotesRepository at its edges, in a database of this file's own (so totals are
// exact): expired Idempotency-Keys by the hundred, listings of a known table, the
// statements as metrics see them, and the last note id there is.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPool } from '../../../src/db/pool.js';
import {
  EXPIRED_KEYS_PER_CREATE,
  LISTING_BATCH,
  NoteIdsExhaustedError,
  notesRepository,
} from '../../../src/notes/repository.js';
import { MAX_NOTE_ID } from '../../../src/notes/schemas.js';
import { waitFor } from '../../../tools/wait.js';
import { collect } from '../../support/collect.js';
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
    const first = await notes.createOnce({ contents: 'the first time', category: '' }, key, 60_000);
    await database.sql()`update idempotency_keys set created_at = now() - interval '2 minutes' where key = ${key}`;
    await expiredKeys(EXPIRED_KEYS_PER_CREATE + 50, `backlog-${randomUUID()}-`);

    const again = await notes.createOnce({ contents: 'the first time', category: '' }, key, 60_000);

    expect(again).toMatchObject({ replayed: false, note: { contents: 'the first time' } });
    if (!('note' in again) || !('note' in first)) throw new Error('a new key was taken as reused');
    expect(again.note.id).not.toBe(first.note.id);
    const [row] = await database.sql()`select note_id, created_at > now() - interval '1 minute' as fresh
      from idempotency_keys where key = ${key}`;
    expect(row).toEqual({ note_id: String(again.note.id), fresh: true });
    // And the key is remembered again: the next repeat replays the new note.
    expect(await notes.createOnce({ contents: 'the first time', category: '' }, key, 60_000)).toEqual({
      note: again.note,
      replayed: true,
    });
  });

  it(`deletes the ${EXPIRED_KEYS_PER_CREATE} oldest expired keys with each new keyed create, until none is left`, async () => {
    await database.sql()`delete from idempotency_keys`; // this file's own database: a known start
    const prefix = `expired-${randomUUID()}-`;
    await expiredKeys(EXPIRED_KEYS_PER_CREATE + 50, prefix);
    const notes = repository();

    await notes.createOnce({ contents: `new ${randomUUID()}`, category: '' }, randomUUID(), 60_000);
    expect(await keysLeft(prefix)).toBe(50);
    const [oldest] = await database.sql()`select key from idempotency_keys where key like ${`${prefix}%`}
      order by created_at limit 1`;
    expect(oldest?.key).toBe(`${prefix}${EXPIRED_KEYS_PER_CREATE + 1}`); // the oldest went first

    await notes.createOnce({ contents: `new ${randomUUID()}`, category: '' }, randomUUID(), 60_000);
    expect(await keysLeft(prefix)).toBe(0);
  });

  it('leaves keys still within their time alone', async () => {
    const notes = repository();
    const kept = randomUUID();
    await notes.createOnce({ contents: 'kept', category: '' }, kept, 3_600_000);
    await notes.createOnce({ contents: `another ${randomUUID()}`, category: '' }, randomUUID(), 3_600_000);
    expect(await notes.createOnce({ contents: 'kept', category: '' }, kept, 3_600_000)).toMatchObject({
      replayed: true,
    });
  });
});

describe('listings of a known table', () => {
  /** This file's own database emptied and filled with `count` notes; their ids. */
  async function exactly(count: number): Promise<number[]> {
    const sql = database.sql();
    await sql`delete from notes`;
    const rows = await sql<{ id: string }[]>`
      insert into notes (contents) select 'known ' || i from generate_series(1, ${count}) as i returning id`;
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }
  /** The repository over a pool that counts the statements it is given. */
  function counted() {
    let statements = 0;
    // Statements, not the fragments they are made of (`and category = …`).
    const sql = new Proxy(database.sql(), {
      apply(target, self, args) {
        if (/^\s*(select|insert|update|delete)\b/i.test(String(args[0]?.[0] ?? ''))) statements++;
        return Reflect.apply(target, self, args);
      },
    });
    return { notes: notesRepository(sql, REPOSITORY_OPTIONS), statements: () => statements };
  }

  it.each([
    [0, [], 1],
    [LISTING_BATCH - 1, [LISTING_BATCH - 1], 1],
    [2 * LISTING_BATCH, [LISTING_BATCH, LISTING_BATCH], 3],
    [2 * LISTING_BATCH + 1, [LISTING_BATCH, LISTING_BATCH, 1], 3],
  ])('reads %i notes as batches of %j in %i statements, no empty batch', async (count, sizes, queries) => {
    const ids = await exactly(count);
    const { notes, statements } = counted();
    const batches = await collect(notes.listAll());
    expect(batches.map((batch) => batch.length)).toEqual(sizes);
    expect(batches.flat().map((note) => note.id)).toEqual(ids);
    expect(statements()).toBe(queries);
  });

  it('has the next batch fetched while the current one is consumed', async () => {
    await exactly(2 * LISTING_BATCH + 1);
    const sql = openPool({ ...database.settings(), poolSize: 1 });
    const batches = notesRepository(sql, REPOSITORY_OPTIONS).listAll()[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(first.value).toHaveLength(LISTING_BATCH);
    // The second batch's statement went out with the first batch; once it has run,
    // the pool can end and the second batch still arrives: it is read already.
    await waitFor(
      'the prefetch did not run',
      async () => {
        const [busy] = await database.sql()`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and application_name = 'notes-service' and state <> 'idle'
            and pid <> pg_backend_pid()`;
        if (busy?.n !== 0) throw new Error('still running');
      },
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    await sql.end();
    const second = await batches.next();
    expect(second.value).toHaveLength(LISTING_BATCH);
    await expect(batches.next()).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
  });

  it('says whether more follow a page: not after the last note, also when the page is exactly full', async () => {
    const ids = await exactly(3);
    const notes = repository();
    const page = async (limit: number, after: number) => {
      const { notes: found, more } = await notes.listPage(limit, BigInt(after));
      return { ids: found.map((note) => note.id), more };
    };
    expect(await page(2, 0)).toEqual({ ids: ids.slice(0, 2), more: true });
    expect(await page(3, 0)).toEqual({ ids, more: false });
    expect(await page(10, 0)).toEqual({ ids, more: false });
    expect(await page(10, ids[2] ?? 0)).toEqual({ ids: [], more: false });
  });

  it('finds the note with the first id there is', async () => {
    const sql = database.sql();
    await sql`delete from notes where id = 1`;
    await sql`insert into notes (id, contents) overriding system value values (1, 'the first')`;
    expect(await repository().get(1n)).toMatchObject({ id: 1, contents: 'the first' });
  });
});

describe('the statements, as metrics see them', () => {
  it('reports each batch by kind and size as it goes out, and how to read each queue', async () => {
    const batches: Array<[string, number]> = [];
    const queues = new Map<string, () => number>();
    const notes = notesRepository(database.sql(), {
      ...REPOSITORY_OPTIONS,
      batching: { maxBatch: 10, maxInFlight: 1 },
      observe: { batch: (kind, size) => batches.push([kind, size]), queued: (kind, depth) => queues.set(kind, depth) },
    });
    const first = notes.create({ contents: `observed ${randomUUID()}`, category: '' });
    const queued = [
      notes.create({ contents: `observed ${randomUUID()}`, category: '' }),
      notes.create({ contents: `observed ${randomUUID()}`, category: '' }),
    ];
    expect(queues.get('create')?.()).toBe(2);
    expect(queues.get('read')?.()).toBe(0);
    const note = await first;
    await Promise.all(queued);
    await notes.get(BigInt(note.id));
    expect(batches).toEqual([
      ['create', 1],
      ['create', 2],
      ['read', 1],
    ]);
    expect(queues.get('create')?.()).toBe(0);
  });
});

describe('the last note id', () => {
  it('creates notes up to MAX_NOTE_ID with exact ids, then fails without storing anything', async () => {
    const sql = database.sql();
    const notes = repository();
    await sql.unsafe(`alter table notes alter column id restart with ${MAX_NOTE_ID - 1n}`);

    const [last, lastKeyed] = [
      await notes.create({ contents: `next to last ${randomUUID()}`, category: '' }),
      await notes.createOnce({ contents: 'last', category: '' }, randomUUID(), 60_000),
    ];
    if (!('note' in lastKeyed)) throw new Error('a new key was taken as reused');

    expect([last.id, lastKeyed.note.id]).toEqual([Number(MAX_NOTE_ID) - 1, Number(MAX_NOTE_ID)]);
    expect(await notes.get(MAX_NOTE_ID)).toEqual(lastKeyed.note);
    expect(await notes.get(MAX_NOTE_ID - 1n)).toEqual(last);
    expect(await notes.listPage(10, MAX_NOTE_ID - 2n)).toEqual({ notes: [last, lastKeyed.note], more: false });
    expect(await notes.listPage(1, MAX_NOTE_ID - 2n)).toEqual({ notes: [last], more: true });

    const key = randomUUID();
    for (const attempt of [
      () => notes.create({ contents: 'one too many', category: '' }),
      () => notes.createOnce({ contents: 'one too many', category: '' }, key, 60_000),
    ]) {
      const failure = await attempt().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(NoteIdsExhaustedError);
      expect(failure).toMatchObject({
        name: 'NoteIdsExhaustedError',
        message: 'no note id is left: ids end at 9007199254740991',
        cause: { code: '2200H' }, // PostgreSQL's own error, kept for the log
      });
    }
    expect(await sql`select id from notes where contents = 'one too many'`).toEqual([]);
    expect(await sql`select key from idempotency_keys where key = ${key}`).toEqual([]);

    // The last id is an id like any other to delete.
    expect(await notes.delete(MAX_NOTE_ID)).toEqual(lastKeyed.note);
    expect(await notes.get(MAX_NOTE_ID)).toBeUndefined();
  });
});
