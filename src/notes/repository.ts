// SQL only: the one module that knows the notes table. Plain creates and reads
// by id are coalesced: concurrent ones share one statement (src/db/coalesce.ts),
// a create batch being one transaction, so one commit (group commit).
import postgres, { type Sql } from 'postgres';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { type BatchObserver, type CoalesceLimits, Coalescer } from '../db/coalesce.js';
import { rowsInInputOrder } from './returned-rows.js';
import { MAX_NOTE_ID, type Note, type NoteInput } from './schemas.js';

export type KeyedCreate = { note: Note; replayed: boolean } | { keyReused: true };

/** No note id is left: the identity reached MAX_NOTE_ID. Nothing was stored. */
export class NoteIdsExhaustedError extends Error {
  override name = 'NoteIdsExhaustedError';
}

export interface NotesRepository {
  /**
   * Stores a note. With a `deadline` (Date.now() past which the caller no longer
   * waits), a create that is still queued then is never sent, one that reaches
   * the server after it stores nothing, and one running then is cancelled.
   */
  create(input: NoteInput, deadline?: number): Promise<Note>;
  /**
   * Creates a note at most once per Idempotency-Key within `ttlMs`: a repeat with
   * the same contents and category returns the first note (replayed), even once
   * it is deleted (the answer the first request got); with others, keyReused.
   * Concurrent requests with one key are serialized by a lock on the key; a key
   * past its time is taken as new.
   */
  createOnce(input: NoteInput, key: string, ttlMs: number): Promise<KeyedCreate>;
  /**
   * undefined when no note has that id (including ids beyond MAX_NOTE_ID), or it
   * was deleted. Not sent once `deadline` passed.
   */
  get(id: bigint, deadline?: number): Promise<Note | undefined>;
  /**
   * Every note (of `category`, when given) ascending by id, in batches of keyset
   * queries: memory stays flat at any table size. Not one snapshot: a note
   * committed or deleted while it runs may or may not be in it.
   */
  listAll(category?: string): AsyncIterable<Note[]>;
  /**
   * Up to `limit` notes (of `category`, when given) with ids above `after`,
   * ascending (keyset pagination), and whether more follow. Fewer when they would
   * pass the repository's byte budget.
   */
  listPage(limit: number, after: bigint, category?: string): Promise<{ notes: Note[]; more: boolean }>;
  /**
   * Deletes a note and returns it as it was; undefined when there is no such note
   * (any more). Of two deletes at once, one gets the note.
   */
  delete(id: bigint): Promise<Note | undefined>;
}

/**
 * Rows per listing batch. Memory, not round trips, sets it: the next batch is
 * prefetched, and V8 lets each batch's garbage pile up before it collects, so a
 * million-note listing grows the heap by ~35 MB at 100 rows and ~85 MB at 500
 * (bench/README.md), for 30% more time.
 */
export const LISTING_BATCH = 100;

/**
 * What a note's JSON adds to its contents' and category's UTF-8 bytes in a page,
 * id and date included: `{"id":…,"contents":"","category":"","creation_date":"…"}`
 * is at most 94 bytes (the comma between notes aside). Escapes (quotes,
 * backslashes, control characters) are not counted.
 */
const NOTE_JSON_OVERHEAD = 94;

/**
 * Expired Idempotency-Keys each keyed create deletes, oldest first: bounded, so a
 * create never pays for a large backlog, and more than one, so the backlog
 * shrinks while keyed creates come in.
 */
export const EXPIRED_KEYS_PER_CREATE = 100;

// The text[] type OID for postgres.js's sql.array. Without it, or with the
// element's OID, the first run of a statement sends one element as the whole
// array ("malformed array literal").
const TEXT_ARRAY = 1009;

/** SQLSTATE sequence_generator_limit_exceeded: the identity has no id left. */
const IDS_EXHAUSTED = '2200H';

interface NoteRow {
  id: string; // int8 arrives as a string
  contents: string;
  category: string;
  creation_date: string; // ISO-8601, as the pool reads timestamptz (src/db/timestamps.ts)
}

interface SizedNoteRow extends NoteRow {
  next_id: string | null; // the next candidate's id, cut or not
}

export interface RepositoryOptions {
  /** The budget of one page (PAGE_MAX_BYTES). */
  readonly pageMaxBytes: number;
  /** How plain creates and reads by id are coalesced (POSTGRES_BATCH_*). */
  readonly batching: CoalesceLimits;
  /** Metrics: each statement's batch size as it goes out, and how to read the queues ('read', 'create'). */
  readonly observe?: BatchObserver;
}

export function notesRepository(sql: Sql, { pageMaxBytes, batching, observe }: RepositoryOptions): NotesRepository {
  const reads = new Coalescer(readByIds, batching, (size) => observe?.batch('read', size));
  const creates = new Coalescer(insertAll, batching, (size) => observe?.batch('create', size));
  observe?.queued('read', () => reads.queued);
  observe?.queued('create', () => creates.queued);

  return {
    async create(input, deadline) {
      return toNote(await creates.submit(input, deadline));
    },

    async createOnce({ contents, category }, key, ttlMs) {
      const ttl = `${ttlMs} milliseconds`;
      return sql
        .begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
          // Deleted or not: a replay answers what the first request got.
          const [previous] = await tx<NoteRow[]>`
            select n.id, n.contents, n.category, n.creation_date
            from idempotency_keys k join notes n on n.id = k.note_id
            where k.key = ${key} and k.created_at > now() - ${ttl}::interval`;
          if (previous) {
            const same = previous.contents === contents && previous.category === category;
            return same ? { note: toNote(previous), replayed: true } : { keyReused: true };
          }

          // Others' expired keys, a bounded batch, so the table doesn't grow without
          // end; rows another create is deleting are skipped, not waited for.
          await tx`
            delete from idempotency_keys where key in (
              select key from idempotency_keys where created_at <= now() - ${ttl}::interval
              order by created_at limit ${EXPIRED_KEYS_PER_CREATE} for update skip locked)`;
          const [row] = await tx<NoteRow[]>`
            insert into notes (contents, category) values (${contents}, ${category})
            returning id, contents, category, creation_date`;
          const note = toNote(row as NoteRow);
          // Under the key's lock, a row of this key still there has expired: it is replaced.
          await tx`
            insert into idempotency_keys (key, note_id) values (${key}, ${note.id})
            on conflict (key) do update set note_id = excluded.note_id, created_at = now()`;
          return { note, replayed: false };
        })
        .catch(rethrowExhausted) as Promise<KeyedCreate>;
    },

    async get(id, deadline) {
      if (id > MAX_NOTE_ID) return undefined; // past int8 it would be a query error, not "no such note"
      const row = await reads.submit(id.toString(), deadline);
      return row && toNote(row);
    },

    async *listAll(category) {
      // Keyset batches, each a short query of its own, rather than one cursor: the
      // statement timeout bounds a batch, not the whole download, and no connection
      // or snapshot is held while a slow client reads. The next batch is fetched
      // while this one is written, so small batches cost no round trips of waiting.
      // Batches are bounded by count only: a batch is written and dropped before
      // the next but one is read, so at most two are held (≤ 60 MB at the longest
      // notes), and the byte cut of pages would cost the listing a third of its speed.
      let next = prefetch(0n, category);
      for (;;) {
        const rows = await next;
        const last = rows[LISTING_BATCH - 1]; // a full batch: more may follow
        const more = last !== undefined;
        if (more) next = prefetch(BigInt(last.id), category);
        if (rows.length > 0) yield rows.map(toNote);
        if (!more) return;
      }
    },

    async listPage(limit, after, category) {
      // Up to `limit` notes, cut short where they would pass pageMaxBytes (the
      // first note always comes). The cut happens in PostgreSQL, so the rows past
      // it never cross the wire. One candidate more than asked gives the page's
      // last note a successor whenever more notes follow.
      const rows = await sql<SizedNoteRow[]>`
        select id, contents, category, creation_date, next_id from (
          select id, contents, category, creation_date, lead(id) over running as next_id,
            sum(octet_length(contents) + octet_length(category) + ${NOTE_JSON_OVERHEAD}) over running
              - (octet_length(contents) + octet_length(category) + ${NOTE_JSON_OVERHEAD}) as bytes_before
          from (
            select id, contents, category, creation_date from notes
            where id > ${after.toString()} and deleted_at is null ${inCategory(category)}
            order by id limit ${limit + 1}
          ) as candidates
          window running as (order by id rows unbounded preceding)
        ) as sized
        where bytes_before < ${pageMaxBytes}
        order by id`;
      const page = rows.slice(0, limit);
      return { notes: page.map(toNote), more: page.at(-1)?.next_id != null };
    },

    async delete(id) {
      if (id > MAX_NOTE_ID) return undefined;
      // One statement: of two deletes at once, the second finds the row marked.
      const [row] = await sql<NoteRow[]>`
        update notes set deleted_at = now() where id = ${id.toString()} and deleted_at is null
        returning id, contents, category, creation_date`;
      return row && toNote(row);
    },
  };

  /** The listings' filter: nothing, or `and category = …` (served by notes_category_id). */
  function inCategory(category: string | undefined) {
    return category === undefined ? sql`` : sql`and category = ${category}`;
  }

  /**
   * One select for every id asked at once; each caller gets its row, or undefined.
   * The ids are digits (BigInt's toString), so their array literal is written
   * here, not escaped element by element; an id asked twice matches its row once.
   */
  async function readByIds(ids: string[]): Promise<Array<NoteRow | undefined>> {
    const rows = await sql<NoteRow[]>`
      select id, contents, category, creation_date from notes
      where id = any(${`{${ids.join(',')}}`}::int8[]) and deleted_at is null`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  /**
   * One insert for every note asked at once: one transaction, one commit, and
   * each caller's answer waits for it; each gets its row (./returned-rows.ts).
   *
   * Past `deadline` the first caller has its 503, so the statement must not store
   * anything after it: it is cancelled then, and one the server only starts
   * later (it was frozen, slow to read it, or waited for a lock) inserts no row:
   * the clock is read once, when the insert starts (an InitPlan), so it is all or
   * none. The clocks of service and database are taken to agree (NTP);
   * docs/guarantees.md says what remains.
   */
  async function insertAll(inputs: NoteInput[], deadline: number): Promise<NoteRow[]> {
    const contents = inputs.map((input) => input.contents);
    const categories = inputs.map((input) => input.category);
    const insert = sql<NoteRow[]>`
      insert into notes (contents, category)
      select * from unnest(${sql.array(contents, TEXT_ARRAY)}::text[], ${sql.array(categories, TEXT_ARRAY)}::text[])
      where (select clock_timestamp()) < to_timestamp(${deadline / 1000}::float8)
      returning id, contents, category, creation_date`;
    const cancel = Number.isFinite(deadline)
      ? setTimeout(() => insert.cancel().catch(() => {}), deadline - Date.now())
      : undefined;
    let rows: NoteRow[];
    try {
      rows = await insert;
    } catch (error) {
      return rethrowExhausted(error);
    } finally {
      // Stryker disable next-line all: tidiness only; a late cancel of a finished query sends nothing (postgres.js cancels active queries only)
      clearTimeout(cancel);
    }
    if (rows.length === 0) {
      throw new DatabaseUnavailableError('the database got the insert after its deadline: nothing was stored');
    }
    return rowsInInputOrder(inputs, rows);
  }

  function prefetch(after: bigint, category: string | undefined) {
    const rows = sql<NoteRow[]>`
      select id, contents, category, creation_date from notes
      where id > ${after.toString()} and deleted_at is null ${inCategory(category)}
      order by id limit ${LISTING_BATCH}`;
    // postgres.js sends a query only once something awaits it: catch() sends it now,
    // and keeps its failure from going unhandled if the client leaves before it is read.
    rows.catch(() => {});
    return rows;
  }
}

/** The identity's end as the error the routes answer; anything else as it is. */
function rethrowExhausted(error: unknown): never {
  if (error instanceof postgres.PostgresError && error.code === IDS_EXHAUSTED) {
    throw new NoteIdsExhaustedError(`no note id is left: ids end at ${MAX_NOTE_ID}`, { cause: error });
  }
  throw error;
}

function toNote(row: NoteRow): Note {
  // Exact: the identity ends at MAX_NOTE_ID, Number.MAX_SAFE_INTEGER.
  return {
    id: Number(row.id),
    contents: row.contents,
    category: row.category,
    creation_date: row.creation_date,
  };
}
