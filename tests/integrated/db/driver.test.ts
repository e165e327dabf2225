// The database driver where patches/postgres+3.4.9.patch changes it. A result
// cut off mid-stream: PostgreSQL sends some rows, then an error (here a statement
// timeout, as when a large page outlives POSTGRES_STATEMENT_TIMEOUT_MS); unpatched,
// postgres.js kept counting rows from there, so the next result on that connection
// lost its first rows: an existing note read as a 404, a stored note's POST as a
// 500. A connection the server drops mid-statement, and a cancel that can't reach
// the server, follow. Each test has its own pool and mostly waits: they run at once.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { openPool } from '../../../src/db/pool.js';
import { notesRepository } from '../../../src/notes/repository.js';
import { waitFor } from '../../../tools/wait.js';
import { describeAtOnce } from '../../support/at-once.js';
import { REPOSITORY_OPTIONS } from '../../support/database.js';
import { testDatabase } from '../../support/provided.js';
import { startRelay } from '../../support/relay.js';

// Rows 1 and 2 leave at once; row 3 sleeps past the statement timeout. The server
// sends D, D, then E: the error arrives after rows, whatever the timing.
const cutOffMidResult = (sql: ReturnType<typeof openPool>) =>
  sql`select i, case when i = 3 then pg_sleep(5)::text end as wait from generate_series(1, 3) as i`;

/** Resolves once the backend `pid` runs a statement, asked through `watcher`. */
function untilActive(watcher: ReturnType<typeof openPool>, pid: number) {
  return waitFor(
    'the statement never started',
    async () => {
      const [row] = await watcher`select state from pg_stat_activity where pid = ${pid}`;
      if (row?.state !== 'active') throw new Error('not yet');
    },
    { timeoutMs: 2_000, intervalMs: 20 },
  );
}

/** A one-connection pool whose statements time out after 100 ms. */
async function withOneConnection(work: (sql: ReturnType<typeof openPool>) => Promise<void>) {
  const sql = openPool({ ...testDatabase(), poolSize: 1, statementTimeoutMs: 100 });
  try {
    await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describeAtOnce('a statement cut off mid-result', () => {
  it('is a statement timeout error for its own caller', async () => {
    await withOneConnection(async (sql) => {
      await expect(cutOffMidResult(sql)).rejects.toMatchObject({ code: '57014' });
    });
  });

  it('leaves the next result on the same connection whole, pipelined behind it', async () => {
    await withOneConnection(async (sql) => {
      const failing = cutOffMidResult(sql).catch((error: unknown) => error);
      const next = sql`select x from generate_series(1, 4) as x`; // sent on the same connection
      expect(await failing).toMatchObject({ code: '57014' });
      expect(await next).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }]);
    });
  });

  it('leaves the repository answering right: an existing note is found, a create returns its note', async () => {
    await withOneConnection(async (sql) => {
      const notes = notesRepository(sql, REPOSITORY_OPTIONS);
      const stored = await notes.create({ contents: `before the cut ${randomUUID()}`, category: '' });
      await cutOffMidResult(sql).catch(() => {});
      expect(await notes.get(BigInt(stored.id))).toEqual(stored);
      const contents = `after the cut ${randomUUID()}`;
      expect((await notes.create({ contents: contents, category: '' })).contents).toBe(contents);
    });
  });

  it('retires its connection: the next statement runs on a new server process', async () => {
    await withOneConnection(async (sql) => {
      const before = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await cutOffMidResult(sql).catch(() => {});
      const after = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      expect(after).toEqual([{ pid: expect.any(Number) }]);
      expect(after[0]?.pid).not.toBe(before[0]?.pid);
    });
  });

  it('keeps a connection whose statement failed before any row', async () => {
    await withOneConnection(async (sql) => {
      const [before] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await expect(sql`select 1 / 0`).rejects.toMatchObject({ code: '22012' });
      const [after] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      expect(after?.pid).toBe(before?.pid);
    });
  });
});

describeAtOnce('a connection the server drops mid-statement', () => {
  it('lets the pool end at once instead of waiting out its timeout', async () => {
    const sql = openPool({ ...testDatabase(), poolSize: 1 });
    const killer = openPool({ ...testDatabase(), poolSize: 1 });
    try {
      const [{ pid } = { pid: 0 }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const sleeping = sql`select pg_sleep(5)`.catch((error: unknown) => error);
      await untilActive(killer, pid);
      await killer`select pg_terminate_backend(${pid})`; // as a crash or a failover does
      expect(await sleeping).toMatchObject({ code: expect.stringMatching(/^(57P01|CONNECTION_CLOSED)$/) });
      const started = performance.now();
      await sql.end({ timeout: 5 });
      expect(performance.now() - started).toBeLessThan(1_000); // unpatched: the full 5 s
    } finally {
      await killer.end();
    }
  });
});

describeAtOnce('cancelling a running statement', () => {
  it('rejects catchably when the cancel request cannot reach the server, instead of crashing the process', async ({
    onTestFinished,
  }) => {
    // The relay stops accepting once the statement runs: the open connection works
    // on, a new one (the cancel request's) is refused.
    const { host, port } = testDatabase();
    const relay = await startRelay(host, port, onTestFinished);
    const sql = openPool({ ...testDatabase(), port: relay.port, poolSize: 1 });
    const watcher = openPool({ ...testDatabase(), poolSize: 1 });
    try {
      const [{ pid } = { pid: 0 }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const sleeping = sql`select pg_sleep(5)`;
      const outcome = sleeping.catch((error: unknown) => error);
      await untilActive(watcher, pid);
      relay.stopAccepting();
      await expect(sleeping.cancel()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await watcher`select pg_cancel_backend(${pid})`;
      expect(await outcome).toMatchObject({ code: '57014' });
    } finally {
      await sql.end({ timeout: 1 });
      await watcher.end();
    }
  });
});

describeAtOnce('timestamptz', () => {
  it('arrives as the ISO-8601 text toISOString() writes, to the millisecond, in any session time zone', async () => {
    const sql = openPool({ ...testDatabase(), poolSize: 1 });
    try {
      const stamps = ['2026-12-03 18:46:00+00', '2026-12-03 18:46:00.5+00', '2026-12-03 18:46:00.123456+00'];
      const read = async () =>
        (await sql`select unnest(${stamps}::timestamptz[]) as at`).map((row) => row.at as string);
      const expected = ['2026-12-03T18:46:00.000Z', '2026-12-03T18:46:00.500Z', '2026-12-03T18:46:00.123Z'];
      expect(await read()).toEqual(expected);
      // A session whose TimeZone is not UTC (a pooler that dropped the startup parameter) reads the same.
      await sql`set time zone 'Asia/Kolkata'`;
      const [shown] = await sql`select now()::text as text`;
      expect(shown?.text).toMatch(/\+05:30$/);
      expect(await read()).toEqual(expected);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
