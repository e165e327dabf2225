// NotesRepository against a real PostgreSQL. The table holds other tests' notes
// (and other runs'): each test acts on its own random notes and never counts rows.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPool } from '../../../src/db/pool.js';
import { LISTING_BATCH, notesRepository } from '../../../src/notes/repository.js';
import type { Note } from '../../../src/notes/schemas.js';
import { describeAtOnce } from '../../support/at-once.js';
import { collect } from '../../support/collect.js';
import { REPOSITORY_OPTIONS, useIsolatedDatabase, useTestDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/provided.js';

const sql = useTestDatabase();
const notes = notesRepository(sql, REPOSITORY_OPTIONS);
/** What a page costs against its byte budget: each note's UTF-8 bytes (contents, category) and 94 for its JSON. */
const pageBytes = (page: Note[]) =>
  page.reduce((sum, note) => sum + Buffer.byteLength(note.contents) + Buffer.byteLength(note.category) + 94, 0);

// At once: each test waits mostly on the database, and one on a slow reader.
describeAtOnce('NotesRepository', () => {
  it('creates a note that a separate query finds', async () => {
    // arrange
    const contents = `I'm a note, wee! ${randomUUID()}`;

    // act
    const note = await notes.create({ contents: contents, category: '' });

    // assert
    const [saved] = await sql`select contents, creation_date from notes where id = ${note.id}`;
    expect(saved?.contents).toBe(contents);
    expect(saved?.creation_date).toBe(note.creation_date);
  });

  it('stamps creation_date as UTC ISO 8601 from the database clock', async () => {
    const before = Date.now();
    const note = await notes.create({ contents: `timed ${randomUUID()}`, category: '' });
    expect(note.creation_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(note.creation_date) - before)).toBeLessThan(60_000);
  });

  it('returns a note by id exactly as stored, whatever its characters', async () => {
    const contents = `ünïcødé 😀 "quotes" \\ back\nslash; drop table notes; -- ${randomUUID()}`;
    const created = await notes.create({ contents: contents, category: '' });
    expect(await notes.get(BigInt(created.id))).toEqual(created);
  });

  it('returns undefined for an id no note has, including ones beyond bigint', async () => {
    const [{ max }] = (await sql`select coalesce(max(id), 0)::text as max from notes`) as unknown as [{ max: string }];
    expect(await notes.get(BigInt(max) + 1_000_000n)).toBeUndefined();
    expect(await notes.get(9_223_372_036_854_775_808n)).toBeUndefined();
  });

  it('lists notes ascending by id, own notes among the others', async () => {
    const first = await notes.create({ contents: `first ${randomUUID()}`, category: '' });
    const second = await notes.create({ contents: `second ${randomUUID()}`, category: '' });
    const all = (await collect(notes.listAll())).flat();

    const ids = all.map((note) => note.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(all).toEqual(expect.arrayContaining([first, second]));
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
  });

  it('pages by id: after the last id of a page comes the next page', async () => {
    // A category of its own: the pages hold these notes only, whatever the tests beside it insert.
    const category = randomUUID();
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await notes.create({ contents: `paged ${i} ${randomUUID()}`, category }));
    const after = BigInt((mine[0]?.id ?? 0) - 1);

    const first = await notes.listPage(2, after, category);
    expect(first).toEqual({ notes: mine.slice(0, 2), more: true });
    const second = await notes.listPage(2, BigInt(first.notes.at(-1)?.id ?? 0), category);
    expect(second).toEqual({ notes: mine.slice(2), more: false });
  });

  it('cuts a page short where its notes would pass the byte budget, with more to follow', async () => {
    const budget = 4_096;
    const small = notesRepository(sql, { ...REPOSITORY_OPTIONS, pageMaxBytes: budget });
    // A category of its own: pages of these notes only, whatever the tests beside it insert.
    const category = randomUUID();
    const mine: Note[] = [];
    for (let i = 0; i < 6; i++)
      mine.push(await notes.create({ contents: `${i} ${randomUUID()} ${'ü'.repeat(500)}`, category })); // ~1 KB each
    let after = BigInt((mine[0]?.id ?? 0) - 1);
    const seen: number[] = [];
    for (let pages = 0; seen.length < mine.length && pages < 10; pages++) {
      const page = await small.listPage(1000, after, category);
      expect(page.notes.length).toBeGreaterThan(0);
      expect(page.notes.length).toBeLessThan(1000);
      expect(pageBytes(page.notes.slice(0, -1))).toBeLessThan(budget); // the last note started below the budget
      if (!page.notes.some((note) => note.id === mine.at(-1)?.id)) expect(page.more).toBe(true);
      seen.push(...page.notes.map((note) => note.id).filter((id) => mine.some((note) => note.id === id)));
      after = BigInt(page.notes.at(-1)?.id ?? 0);
    }
    expect(seen).toEqual(mine.map((note) => note.id));
  });

  it('still returns a note larger than the whole byte budget, alone', async () => {
    const big = await notes.create({ contents: `${randomUUID()} ${'x'.repeat(10_000)}`, category: '' });
    await notes.create({ contents: `after the big one ${randomUUID()}`, category: '' });
    const page = await notesRepository(sql, { ...REPOSITORY_OPTIONS, pageMaxBytes: 4_096 }).listPage(
      10,
      BigInt(big.id - 1),
    );
    expect(page).toEqual({ notes: [big], more: true });
  });

  it(`reads every note in batches of at most ${LISTING_BATCH}`, async () => {
    const created = await Promise.all(
      Array.from({ length: 3 }, (_, i) => notes.create({ contents: `batch ${i} ${randomUUID()}`, category: '' })),
    );
    const batches = await collect(notes.listAll());
    expect(batches.every((batch) => batch.length <= LISTING_BATCH)).toBe(true);
    expect(batches.flat()).toEqual(expect.arrayContaining(created));
  });

  it('finishes a listing read more slowly than the statement timeout allows one statement', async () => {
    // A client downloading a big listing slowly: one cursor would be one statement,
    // cancelled by statement_timeout mid-download, a truncated 200.
    const strict = openPool({ ...testDatabase(), poolSize: 1, statementTimeoutMs: 300 });
    // A category of its own: the read is these notes' batches, however many others
    // the table holds. They are deleted after: a watched run's database keeps every
    // rerun's notes, and the full listings of the other tests would read them all.
    const category = randomUUID();
    try {
      await sql`insert into notes (contents, category) select 'slow ' || i, ${category} from generate_series(1, 1200) i`;
      let read = 0;
      let slowBatches = 3; // 3 × 150 ms: the whole read outlasts the 300 ms timeout
      for await (const batch of notesRepository(strict, REPOSITORY_OPTIONS).listAll(category)) {
        read += batch.length;
        if (slowBatches-- > 0) await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(read).toBe(1200);
    } finally {
      await strict.end();
      await sql`delete from notes where category = ${category}`;
    }
  });

  it('creates one note for many concurrent requests with one Idempotency-Key', async () => {
    const key = randomUUID();
    const contents = `once ${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => notes.createOnce({ contents: contents, category: '' }, key, 60_000)),
    );

    const ids = new Set(results.map((result) => ('note' in result ? result.note.id : 'reused')));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => 'replayed' in result && !result.replayed)).toHaveLength(1);
    const rows = await sql`select id from notes where contents = ${contents}`;
    expect(rows).toHaveLength(1);
  });

  describe('a key past its time', () => {
    // A database of its own: a create with a 10 ms time removes the keys older than that, others'
    // too (up to a batch), and the external tier's service creates keyed notes in the shared one.
    const isolated = useIsolatedDatabase();

    it('writes the key and the note together, and forgets the key after its time', async () => {
      const sql = isolated.sql();
      const notes = notesRepository(sql, REPOSITORY_OPTIONS);
      const key = randomUUID();
      const first = await notes.createOnce({ contents: `expiring ${key}`, category: '' }, key, 60_000);
      if (!('note' in first)) throw new Error('a new key was taken as reused');
      const [stored] = await sql`select note_id from idempotency_keys where key = ${key}`;
      expect(stored?.note_id).toBe(String(first.note.id));

      await new Promise((resolve) => setTimeout(resolve, 20));
      const later = await notes.createOnce({ contents: `expiring ${key}`, category: '' }, key, 10);
      if (!('note' in later)) throw new Error('an expired key was taken as reused');
      expect(later.replayed).toBe(false);
      expect(later.note.id).not.toBe(first.note.id);
    });
  });

  it('answers many concurrent reads, coalesced, each with its own note or undefined, duplicates and missing ids included', async () => {
    const mine = await Promise.all(
      Array.from({ length: 30 }, (_, i) => notes.create({ contents: `read ${i} ${randomUUID()}`, category: '' })),
    );
    const missing = [9_223_372_036_854_775_000n, 9_223_372_036_854_775_807n, 9_223_372_036_854_775_808n, 0n];
    const asked = [
      ...mine.map((note) => BigInt(note.id)),
      ...mine.slice(0, 10).map((note) => BigInt(note.id)),
      ...missing,
    ];
    const shuffled = asked.map((id) => ({ id, at: Math.random() })).sort((a, b) => a.at - b.at);
    const coalesced = notesRepository(sql, { ...REPOSITORY_OPTIONS, batching: { maxBatch: 16, maxInFlight: 1 } });

    const found = await Promise.all(shuffled.map(({ id }) => coalesced.get(id)));

    shuffled.forEach(({ id }, i) => {
      expect(found[i]).toEqual(mine.find((note) => BigInt(note.id) === id));
    });
  });

  it('creates many notes at once, coalesced: distinct ids, each caller its own contents, every row stored', async () => {
    const tag = randomUUID();
    const asked = Array.from({ length: 60 }, (_, i) => `${tag} ${i % 3}`); // each contents 20 times, repeated within every batch
    const coalesced = notesRepository(sql, { ...REPOSITORY_OPTIONS, batching: { maxBatch: 16, maxInFlight: 2 } });

    const created = await Promise.all(asked.map((contents) => coalesced.create({ contents: contents, category: '' })));

    expect(created.map((note) => note.contents)).toEqual(asked);
    expect(new Set(created.map((note) => note.id)).size).toBe(60);
    const stored = await sql`select id, contents from notes where contents like ${`${tag} %`} order by id`;
    expect(stored.map((row) => [Number(row.id), row.contents])).toEqual(
      created.map((note) => [note.id, note.contents]).sort(([a], [b]) => Number(a) - Number(b)),
    );
  });

  it('fails every create of a batch whose statement fails, and only those; the next batch works', async () => {
    const tag = randomUUID();
    const coalesced = notesRepository(sql, { ...REPOSITORY_OPTIONS, batching: { maxBatch: 16, maxInFlight: 1 } });
    const first = coalesced.create({ contents: `${tag} alone`, category: '' }); // goes out at once
    // Queued behind it, one statement: PostgreSQL text can't hold NUL, so the whole insert fails.
    const batch = [`${tag} a`, `${tag} \u0000`, `${tag} b`].map((contents) =>
      coalesced.create({ contents: contents, category: '' }).then(
        () => 'created',
        () => 'failed',
      ),
    );
    expect((await first).contents).toBe(`${tag} alone`);
    expect(await Promise.all(batch)).toEqual(['failed', 'failed', 'failed']);
    expect((await coalesced.create({ contents: `${tag} after`, category: '' })).contents).toBe(`${tag} after`);
    const stored = await sql`select contents from notes where contents like ${`${tag} %`} order by id`;
    expect(stored.map((row) => row.contents)).toEqual([`${tag} alone`, `${tag} after`]);
  });

  it('gives distinct ids to notes created concurrently', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => notes.create({ contents: `concurrent ${i} ${randomUUID()}`, category: '' })),
    );
    expect(new Set(created.map((note) => note.id)).size).toBe(20);
  });
});
