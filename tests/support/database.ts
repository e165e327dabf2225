// A pool on the test database for one test file, closed after it: integrated
// tests act through the repository and assert through their own queries.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openMigratedPool } from '../../src/db/open.js';
import { type ConnectionSettings, openPool } from '../../src/db/pool.js';
import { createDatabaseIfMissing } from '../../src/dev/create-database.js';
import { testDatabase } from './provided.js';

/** The repository's options as the service's defaults set them. */
export const REPOSITORY_OPTIONS = (() => {
  const config = loadConfig({});
  return { pageMaxBytes: config.pageMaxBytes, batching: config.postgres.batching };
})();

export function useTestDatabase(): Sql {
  const sql = openPool({ ...testDatabase(), poolSize: 4 });
  afterAll(() => sql.end());
  return sql;
}

/**
 * A database of the file's own on the test server, migrated, dropped after the
 * file: for a test that needs exact totals, or a trigger no other test may meet.
 * Its random name keeps parallel runs on a shared server apart.
 */
export function useIsolatedDatabase(): { sql: () => Sql; settings: () => ConnectionSettings } {
  let sql: Sql | undefined;
  let settings: ConnectionSettings | undefined;
  beforeAll(async () => {
    settings = { ...testDatabase(), database: `notes_test_${randomUUID().replaceAll('-', '')}` };
    await createDatabaseIfMissing(settings);
    sql = await openMigratedPool({ ...settings, poolSize: 4 }, () => {});
  });
  afterAll(async () => {
    await sql?.end();
    if (!settings) return;
    const admin = openPool({ ...testDatabase(), poolSize: 1 });
    try {
      await admin.unsafe(`drop database if exists "${settings.database}" with (force)`);
    } finally {
      await admin.end();
    }
  });
  const defined = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useIsolatedDatabase: use it inside a test');
    return value;
  };
  return { sql: () => defined(sql), settings: () => defined(settings) };
}
