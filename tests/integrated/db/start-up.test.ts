// Start-up against a real PostgreSQL: waiting for it, and migrations that apply
// once even when several processes migrate at the same moment.
// Its tests are independent (each on a database, port or pool of its own) and mostly wait: they run at once.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { ConfigError } from '../../../src/config-reader.js';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { migrate, SchemaAheadError } from '../../../src/db/migrate.js';
import { applyMigrations, expectStatementTimeout, openMigratedPool } from '../../../src/db/open.js';
import { openPool, pingDatabase } from '../../../src/db/pool.js';
import { waitForDatabase } from '../../../src/db/wait.js';
import { createDatabaseIfMissing } from '../../../src/dev/create-database.js';
import { freePort } from '../../../tools/free-port.js';
import { describeAtOnce } from '../../support/at-once.js';
import { useTestDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/provided.js';

const sql = useTestDatabase();

describeAtOnce('migrate', () => {
  it('applies nothing on a migrated database, even from several callers at once', async () => {
    const results = await Promise.all([migrate(sql, testDatabase().database), migrate(sql, testDatabase().database)]);
    expect(results.map((result) => result.applied)).toEqual([[], []]);
    const versions = await sql`select version from schemaversion order by version`;
    expect(versions.map((row) => Number(row.version))).toEqual([
      ...new Set(versions.map((row) => Number(row.version))),
    ]);
    expect(results[0]?.version).toBeGreaterThanOrEqual(1);
  });
});

describeAtOnce('waitForDatabase', () => {
  it('returns at once when the database answers', async () => {
    await expect(waitForDatabase(sql, { timeoutMs: 1_000, intervalMs: 50, host: 'here' })).resolves.toBeUndefined();
  });

  it('gives up after its timeout when nothing listens', async () => {
    const nowhere = openPool({ ...testDatabase(), port: await freePort(), connectTimeoutMs: 200 });
    const started = Date.now();
    try {
      await expect(waitForDatabase(nowhere, { timeoutMs: 600, intervalMs: 100, host: 'here' })).rejects.toThrow(
        /^the database did not answer within 600 ms/,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await nowhere.end();
    }
  });

  it('fails at once on a wrong password instead of waiting it out', async () => {
    const wrong = openPool({ ...testDatabase(), password: 'not-the-password' });
    const started = Date.now();
    try {
      await expect(waitForDatabase(wrong, { timeoutMs: 10_000, intervalMs: 100, host: 'here' })).rejects.toThrow(
        /password/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await wrong.end();
    }
  });

  it('fails at once, naming POSTGRES_HOST, when the host name does not resolve', async () => {
    // .invalid never resolves (RFC 6761); the lookup fails in milliseconds.
    const unknown = openPool({ ...testDatabase(), host: 'notes-db.invalid' });
    const started = Date.now();
    try {
      const failure = await waitForDatabase(unknown, {
        timeoutMs: 30_000,
        intervalMs: 100,
        host: 'notes-db.invalid',
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toBe(
        "POSTGRES_HOST notes-db.invalid does not resolve (getaddrinfo ENOTFOUND notes-db.invalid): set it to the database's host name or address",
      );
      expect(Date.now() - started).toBeLessThan(15_000); // half the wait: it did not wait it out
    } finally {
      await unknown.end();
    }
  });
});

describeAtOnce('pingDatabase', () => {
  it('reports an unreachable database as DatabaseUnavailableError', async () => {
    const nowhere = openPool({ ...testDatabase(), port: await freePort(), connectTimeoutMs: 200 });
    try {
      await expect(pingDatabase(nowhere)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await nowhere.end();
    }
  });
});

describeAtOnce('a database ahead of the code', () => {
  it('stops the start in one line naming the versions, unless POSTGRES_ALLOW_NEWER_SCHEMA', async () => {
    const name = `notes_ahead_${randomUUID().replaceAll('-', '')}`;
    await createDatabaseIfMissing({ ...testDatabase(), database: name });
    const ahead = openPool({ ...testDatabase(), database: name, poolSize: 1 });
    try {
      const { version } = await migrate(ahead, name);
      // A newer build applied a migration this checkout doesn't have.
      await ahead`insert into schemaversion (version, name, md5) values (${version + 1}, 'from-the-future', 'x')`;

      await expect(migrate(ahead, name)).rejects.toThrow(
        new SchemaAheadError(
          `the database is at schema version ${version + 1}, newer than this code's latest migration (${version}): ` +
            'run the code that has it, or set POSTGRES_ALLOW_NEWER_SCHEMA=true while old and new versions run side by side',
        ),
      );
      await expect(migrate(ahead, name, { allowNewerSchema: true })).resolves.toEqual({
        applied: [],
        version: version + 1,
        newerThanCode: version,
      });
    } finally {
      await ahead.end();
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
  });
});

describeAtOnce('migrations on a fresh database', () => {
  it('apply each file once, in order, when two callers migrate at the same moment; and report what they did', async () => {
    const name = `notes_fresh_${randomUUID().replaceAll('-', '')}`;
    await createDatabaseIfMissing({ ...testDatabase(), database: name });
    const fresh = openPool({ ...testDatabase(), database: name, poolSize: 4 });
    try {
      const results = await Promise.all([migrate(fresh, name), migrate(fresh, name)]);
      const applied = results.map((result) => result.applied).sort((a, b) => b.length - a.length);
      expect(applied).toEqual([
        [
          '001.do.create-notes.sql',
          '002.do.idempotency-keys.sql',
          '003.do.note-ids-exact-in-json.sql',
          '004.do.categories-and-deletes.sql',
        ],
        [],
      ]);
      expect(results.map((result) => result.version)).toEqual([4, 4]);
      expect(results.every((result) => !('newerThanCode' in result))).toBe(true);
      const versions = await fresh`select version from schemaversion order by version`;
      expect(versions.map((row) => Number(row.version))).toEqual([0, 1, 2, 3, 4]); // postgrator’s own row 0, then each file once
    } finally {
      await fresh.end();
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
  });

  it('say in one line what was applied, or that nothing was', async () => {
    const name = `notes_logged_${randomUUID().replaceAll('-', '')}`;
    await createDatabaseIfMissing({ ...testDatabase(), database: name });
    const lines: string[] = [];
    try {
      const first = await openMigratedPool({ ...testDatabase(), database: name, poolSize: 1 }, (line) =>
        lines.push(line),
      );
      await first.end();
      const again = await openMigratedPool({ ...testDatabase(), database: name, poolSize: 1 }, (line) =>
        lines.push(line),
      );
      await again`insert into schemaversion (version, name, md5) values (5, 'from-the-future', 'x')`;
      await applyMigrations(again, { database: name, allowNewerSchema: true }, (line) => lines.push(line));
      await again.end();
      expect(lines).toEqual([
        'applied 001.do.create-notes.sql, 002.do.idempotency-keys.sql, 003.do.note-ids-exact-in-json.sql, ' +
          '004.do.categories-and-deletes.sql; schema version 4',
        'schema is up to date (version 4)',
        "schema version 5 is newer than this code's latest migration (4): running anyway (POSTGRES_ALLOW_NEWER_SCHEMA)",
      ]);
    } finally {
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
  });
});

describeAtOnce('openMigratedPool', () => {
  it('waits POSTGRES_WAIT_TIMEOUT_MS for a database that never comes, then gives up', async () => {
    const started = Date.now();
    await expect(
      openMigratedPool(
        { ...testDatabase(), port: await freePort(), waitTimeoutMs: 300, waitIntervalMs: 50, connectTimeoutMs: 200 },
        () => {},
      ),
    ).rejects.toThrow(/^the database did not answer within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describeAtOnce('expectStatementTimeout', () => {
  it('names both values and where to set it when the server runs with another statement timeout', async () => {
    const other = openPool({ ...testDatabase(), poolSize: 1, statementTimeoutMs: 1234 });
    try {
      await expect(expectStatementTimeout(other, 1234)).resolves.toBeUndefined();
      await expect(expectStatementTimeout(other, 10_000)).rejects.toThrow(
        new ConfigError(
          "the server's statement_timeout is 1234 ms, but POSTGRES_STATEMENT_TIMEOUT_MS is 10000: something between " +
            "dropped the startup parameter; set it there (PgBouncer: connect_query = 'SET statement_timeout = 10000') " +
            'or on the role (ALTER ROLE … SET statement_timeout = 10000)',
        ),
      );
    } finally {
      await other.end();
    }
  });
});

describeAtOnce('the pool', () => {
  it('names itself notes-service to the server', async () => {
    const [row] = await sql`select application_name from pg_stat_activity where pid = pg_backend_pid()`;
    expect(row?.application_name).toBe('notes-service');
  });

  it('backs off 50 ms doubling between reconnects, never longer than POSTGRES_RECONNECT_MAX_DELAY_MS', async () => {
    const pool = openPool({ ...testDatabase(), reconnectMaxDelayMs: 500 });
    try {
      const backoff = pool.options.backoff as (attempt: number) => number;
      expect([0, 1, 2, 3, 4, 10].map((attempt) => backoff(attempt))).toEqual([0.05, 0.1, 0.2, 0.4, 0.5, 0.5]);
    } finally {
      await pool.end();
    }
  });

  it('reads an unreachable database in a ping as DatabaseUnavailableError, with the driver’s reason as cause', async () => {
    const nowhere = openPool({ ...testDatabase(), port: await freePort(), connectTimeoutMs: 200 });
    try {
      const failure = await pingDatabase(nowhere).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect(failure).toMatchObject({ message: 'the database did not answer', cause: { code: 'ECONNREFUSED' } });
    } finally {
      await nowhere.end();
    }
  });
});
