// SQL only: the one module that knows the notes table. Built over an executor
// (the pool or a transaction), so the caller decides what is one transaction.
import type { Sql } from 'postgres';
import { MAX_NOTE_ID, type Note } from './schemas.js';

export type KeyedCreate = { note: Note; replayed: boolean } | { keyReused: true };

export interface NotesRepository {
  create(contents: string): Promise<Note>;
  /**
   * Creates a note at most once per Idempotency-Key within `ttlMs`: a repeat with
   * the same contents returns the first note (replayed), with other contents
   * keyReused. Concurrent requests with one key are serialized by a lock on the key.
   */
  createOnce(contents: string, key: string, ttlMs: number): Promise<KeyedCreate>;
  /** undefined when no note has that id (including ids beyond the column's range). */
  get(id: bigint): Promise<Note | undefined>;
  /**
   * Every note ascending by id, in batches of keyset queries: memory stays flat at
   * any table size. Not one snapshot: a note committed while it runs may or may not be in it.
   */
  listAll(): AsyncIterable<Note[]>;
  /**
   * Up to `limit` notes with ids above `after`, ascending (keyset pagination), and
   * whether more follow. Fewer when they would pass the repository's byte budget.
   */
  listPage(limit: number, after: bigint): Promise<{ notes: Note[]; more: boolean }>;
}

/**
 * Rows per listing batch. Memory, not round trips, sets it: the next batch is
 * prefetched, and V8 lets each batch's garbage pile up before it collects, so a
 * million-note listing grows the heap by ~35 MB at 100 rows and ~85 MB at 500
 * (bench/README.md), for 30% more time.
 */
export const LISTING_BATCH = 100;

/**
 * What a note's JSON adds to its contents' UTF-8 bytes in a page, id and date
 * included: `{"id":…,"contents":"","creation_date":"…"},` is at most 80 bytes.
 * Escapes (quotes, backslashes, control characters) are not counted.
 */
const NOTE_JSON_OVERHEAD = 80;

interface NoteRow {
  id: string; // int8 arrives as a string: JavaScript numbers can't hold every bigint
  contents: string;
  creation_date: Date;
}

interface SizedNoteRow extends NoteRow {
  next_id: string | null; // the next candidate's id, cut or not
}

/** pageMaxBytes: the budget of one page (PAGE_MAX_BYTES). */
export function notesRepository(sql: Sql, pageMaxBytes: number): NotesRepository {
  return {
    async create(contents) {
      const [row] = await sql<NoteRow[]>`
        insert into notes (contents) values (${contents})
        returning id, contents, creation_date`;
      return toNote(row as NoteRow);
    },

    async createOnce(contents, key, ttlMs) {
      return sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
        const ttl = `${ttlMs} milliseconds`;
        const [previous] = await tx<NoteRow[]>`
          select n.id, n.contents, n.creation_date
          from idempotency_keys k join notes n on n.id = k.note_id
          where k.key = ${key} and k.created_at > now() - ${ttl}::interval`;
        if (previous)
          return previous.contents === contents ? { note: toNote(previous), replayed: true } : { keyReused: true };

        // Expired keys: this one, and a bounded batch of others, so the table doesn't grow without end.
        await tx`
          delete from idempotency_keys where key in (
            select key from idempotency_keys where created_at <= now() - ${ttl}::interval
            union select ${key} limit 101)`;
        const [row] = await tx<NoteRow[]>`
          insert into notes (contents) values (${contents})
          returning id, contents, creation_date`;
        const note = toNote(row as NoteRow);
        await tx`insert into idempotency_keys (key, note_id) values (${key}, ${note.id})`;
        return { note, replayed: false };
      }) as Promise<KeyedCreate>;
    },

    async get(id) {
      if (id < 1n || id > MAX_NOTE_ID) return undefined;
      const [row] = await sql<NoteRow[]>`
        select id, contents, creation_date from notes where id = ${id.toString()}`;
      return row && toNote(row);
    },

    async *listAll() {
      // Keyset batches, each a short query of its own, rather than one cursor: the
      // statement timeout bounds a batch, not the whole download, and no connection
      // or snapshot is held while a slow client reads. The next batch is fetched
      // while this one is written, so small batches cost no round trips of waiting.
      // Batches are bounded by count only: a batch is written and dropped before
      // the next but one is read, so at most two are held (≤ 60 MB at the longest
      // notes), and the byte cut of pages would cost the listing a third of its speed.
      let next = prefetch(0n);
      for (;;) {
        const rows = await next;
        const last = rows.at(-1);
        const more = last !== undefined && rows.length === LISTING_BATCH;
        if (more) next = prefetch(BigInt(last.id));
        if (rows.length > 0) yield rows.map(toNote);
        if (!more) return;
      }
    },

    async listPage(limit, after) {
      // Up to `limit` notes, cut short where they would pass pageMaxBytes (the
      // first note always comes). The cut happens in PostgreSQL, so the rows past
      // it never cross the wire. One candidate more than asked, and each row's
      // successor among the candidates, tell whether more notes follow.
      const rows = await sql<SizedNoteRow[]>`
        select id, contents, creation_date, next_id from (
          select id, contents, creation_date, lead(id) over running as next_id,
            sum(octet_length(contents) + ${NOTE_JSON_OVERHEAD}) over running
              - (octet_length(contents) + ${NOTE_JSON_OVERHEAD}) as bytes_before
          from (
            select id, contents, creation_date from notes
            where id > ${after.toString()} order by id limit ${limit + 1}
          ) as candidates
          window running as (order by id rows unbounded preceding)
        ) as sized
        where bytes_before < ${pageMaxBytes}
        order by id`;
      const page = rows.slice(0, limit);
      return { notes: page.map(toNote), more: rows.length > limit || page.at(-1)?.next_id != null };
    },
  };

  function prefetch(after: bigint) {
    const rows = sql<NoteRow[]>`
      select id, contents, creation_date from notes
      where id > ${after.toString()} order by id limit ${LISTING_BATCH}`;
    // postgres.js sends a query only once something awaits it: catch() sends it now,
    // and keeps its failure from going unhandled if the client leaves before it is read.
    rows.catch(() => {});
    return rows;
  }
}

function toNote(row: NoteRow): Note {
  return { id: Number(row.id), contents: row.contents, creation_date: row.creation_date.toISOString() };
}
