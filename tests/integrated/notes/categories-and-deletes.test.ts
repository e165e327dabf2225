// Categories and deletes against a real PostgreSQL. Each test files its notes
// under a random category of its own, so its listings see only them although
// the table holds other tests' notes.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LISTING_BATCH, notesRepository } from '../../../src/notes/repository.js';
import type { Note } from '../../../src/notes/schemas.js';
import { collect } from '../../support/collect.js';
import { REPOSITORY_OPTIONS, useTestDatabase } from '../../support/database.js';

const sql = useTestDatabase();
const notes = notesRepository(sql, REPOSITORY_OPTIONS);
const newCategory = () => `category ${randomUUID()}`;
const idsOf = (list: Note[]) => list.map((note) => note.id);

describe('categories', () => {
  it('are stored with the note and returned by every read', async () => {
    const category = newCategory();
    const note = await notes.create({ contents: `filed ${randomUUID()}`, category });
    expect(note.category).toBe(category);
    const [row] = await sql`select category from notes where id = ${note.id}`;
    expect(row?.category).toBe(category);
    expect(await notes.get(BigInt(note.id))).toEqual(note);
    expect((await notes.listPage(10, 0n, category)).notes).toEqual([note]);
    expect((await collect(notes.listAll(category))).flat()).toEqual([note]);
  });

  it('reach each caller of a coalesced create, equal contents or not', async () => {
    // One statement slot, so that the creates queue behind the first and go out together.
    const batches: number[] = [];
    const coalescing = notesRepository(sql, {
      ...REPOSITORY_OPTIONS,
      batching: { maxBatch: 64, maxInFlight: 1 },
      observe: { batch: (_kind, size) => batches.push(size), queued: () => {} },
    });
    const base = newCategory();
    const contents = `same words ${randomUUID()}`;
    // Equal contents, each its own category: only the category tells the rows apart.
    const inputs = Array.from({ length: 20 }, (_, i) => ({ contents, category: `${base} ${i}` }));
    const created = await Promise.all(inputs.map((input) => coalescing.create(input)));
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(created.map((note) => note.category)).toEqual(inputs.map((input) => input.category));
    expect(new Set(idsOf(created)).size).toBe(20);
    const rows = await sql`select id, category from notes where id = any(${idsOf(created)})`;
    expect(Object.fromEntries(rows.map((row) => [Number(row.id), row.category]))).toEqual(
      Object.fromEntries(created.map((note) => [note.id, note.category])),
    );
  });

  it('filter both listings, across the listing’s batches and pages, ascending by id', async () => {
    const category = newCategory();
    const mine: Note[] = [];
    for (let i = 0; i < LISTING_BATCH + 1; i++) {
      mine.push(await notes.create({ contents: `${i}`, category }));
      if (i % 10 === 0) await notes.create({ contents: `another's ${i}`, category: newCategory() });
    }
    await notes.create({ contents: 'no category', category: '' });
    const listed = await collect(notes.listAll(category));
    expect(listed.map((batch) => batch.length)).toEqual([LISTING_BATCH, 1]);
    expect(idsOf(listed.flat())).toEqual(idsOf(mine));

    const first = await notes.listPage(LISTING_BATCH, 0n, category);
    expect([idsOf(first.notes), first.more]).toEqual([idsOf(mine.slice(0, LISTING_BATCH)), true]);
    const rest = await notes.listPage(LISTING_BATCH, BigInt(first.notes.at(-1)?.id ?? 0), category);
    expect([idsOf(rest.notes), rest.more]).toEqual([idsOf(mine.slice(LISTING_BATCH)), false]);
  });

  it('"" lists the notes without one, and only those', async () => {
    const [before] = await sql<{ id: string | null }[]>`select max(id) as id from notes`;
    const loose = await notes.create({ contents: `loose ${randomUUID()}`, category: '' });
    const filed = await notes.create({ contents: `filed ${randomUUID()}`, category: newCategory() });
    const page = await notes.listPage(1000, BigInt(before?.id ?? 0), '');
    expect(idsOf(page.notes)).toContain(loose.id);
    expect(idsOf(page.notes)).not.toContain(filed.id);
    expect(page.notes.every((note) => note.category === '')).toBe(true);
    const [first] = await collect(notes.listAll(''));
    expect(first?.every((note) => note.category === '')).toBe(true);
  });

  it('count toward a page’s byte budget', async () => {
    // Each note: 1 byte of contents, 100 of category, 94 of JSON: 195 bytes. A budget
    // of 390 takes two; without the category's bytes (95 each) it would take four.
    const category = `${'c'.repeat(64)}${randomUUID()}`; // 100 characters
    for (let i = 0; i < 4; i++) await notes.create({ contents: `${i}`, category });
    const page = await notesRepository(sql, { ...REPOSITORY_OPTIONS, pageMaxBytes: 390 }).listPage(10, 0n, category);
    expect([page.notes.map((note) => note.contents), page.more]).toEqual([['0', '1'], true]);
  });

  it('are listed through notes_category_id, in its order: no sort, no scan of other categories', async () => {
    await sql.begin(async (tx) => {
      // Whether notes_category_id serves the query in its order, whatever the table's
      // size and statistics: no sequential or bitmap scan, no sort to fall back on
      // (the primary key could serve it too, filtered: the index's definition is checked below).
      await tx`set local enable_seqscan = off`;
      await tx`set local enable_bitmapscan = off`;
      await tx`set local enable_sort = off`;
      const [plan] = await tx`explain (format json)
        select id from notes where id > 0 and deleted_at is null and category = ${newCategory()} order by id limit 101`;
      const text = JSON.stringify(plan);
      expect(text).toContain('"Index Name":"notes_category_id"');
      expect(text).not.toContain('"Node Type":"Sort"');
    });
    // The category first: a scan reads that category's entries only, in id order.
    const [index] = await sql`select indexdef from pg_indexes where indexname = 'notes_category_id'`;
    expect(index?.indexdef).toBe('CREATE INDEX notes_category_id ON public.notes USING btree (category, id)');
  });
});

describe('deletes', () => {
  it('return the note as it was, after which no read finds it; a second delete finds nothing', async () => {
    const category = newCategory();
    const kept = await notes.create({ contents: 'kept', category });
    const gone = await notes.create({ contents: 'gone', category });
    expect(await notes.delete(BigInt(gone.id))).toEqual(gone);

    expect(await notes.get(BigInt(gone.id))).toBeUndefined();
    expect((await notes.listPage(10, 0n, category)).notes).toEqual([kept]);
    expect((await collect(notes.listAll(category))).flat()).toEqual([kept]);
    const page = await notes.listPage(1000, BigInt(gone.id - 1));
    expect(idsOf(page.notes)).not.toContain(gone.id);
    expect(await notes.delete(BigInt(gone.id))).toBeUndefined();
    // Marked, not removed: the row keeps the note a keyed create's replay answers.
    const [row] =
      await sql`select deleted_at, deleted_at >= ${gone.creation_date}::timestamptz as after from notes where id = ${gone.id}`;
    expect(row).toEqual({ deleted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), after: true });
  });

  it('give the note to exactly one of many deletes at once', async () => {
    const note = await notes.create({ contents: `contested ${randomUUID()}`, category: '' });
    const results = await Promise.all(Array.from({ length: 8 }, () => notes.delete(BigInt(note.id))));
    expect(results.filter((result) => result !== undefined)).toEqual([note]);
  });

  it('find nothing for an id that never was or is past the last one', async () => {
    expect(await notes.delete(9_007_199_254_740_991n)).toBeUndefined();
    expect(await notes.delete(9_007_199_254_740_992n)).toBeUndefined();
    expect(await notes.delete(2n ** 64n)).toBeUndefined();
  });

  it('leave a keyed create replaying the note it created; another body under the key stays refused', async () => {
    const key = `key ${randomUUID()}`;
    const input = { contents: `keyed ${randomUUID()}`, category: newCategory() };
    const first = await notes.createOnce(input, key, 60_000);
    if (!('note' in first)) throw new Error('the first keyed create created nothing');
    await notes.delete(BigInt(first.note.id));
    expect(await notes.createOnce(input, key, 60_000)).toEqual({ note: first.note, replayed: true });
    expect(await notes.createOnce({ ...input, category: newCategory() }, key, 60_000)).toEqual({ keyReused: true });
    expect(await notes.get(BigInt(first.note.id))).toBeUndefined();
  });
});
