// Start-up against a real PostgreSQL: waiting for it, and migrations that apply
// once even when several processes migrate at the same moment.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { createDatabaseIfMissing } from '../../../src/db/create-database.js';
import { migrate, SchemaAheadError } from '../../../src/db/migrate.js';
import { openPool, pingDatabase } from '../../../src/db/pool.js';
import { waitForDatabase } from '../../../src/db/wait.js';
import { freePort } from '../../../tools/free-port.js';
import { useTestDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/settings.js';

const sql = useTestDatabase();

describe('migrate', () => {
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

describe('waitForDatabase', () => {
  it('returns at once when the database answers', async () => {
    await expect(waitForDatabase(sql, { timeoutMs: 1_000, intervalMs: 50 })).resolves.toBeUndefined();
  });

  it('gives up after its timeout when nothing listens', async () => {
    const nowhere = openPool({ ...testDatabase(), port: await freePort(), connectTimeoutMs: 200 });
    const started = Date.now();
    try {
      await expect(waitForDatabase(nowhere, { timeoutMs: 600, intervalMs: 100 })).rejects.toThrow(
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
      await expect(waitForDatabase(wrong, { timeoutMs: 10_000, intervalMs: 100 })).rejects.toThrow(/password/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await wrong.end();
    }
  });
});

describe('pingDatabase', () => {
  it('reports an unreachable database as DatabaseUnavailableError', async () => {
    const nowhere = openPool({ ...testDatabase(), port: await freePort(), connectTimeoutMs: 200 });
    try {
      await expect(pingDatabase(nowhere)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await nowhere.end();
    }
  });
});

describe('a database ahead of the code', () => {
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
