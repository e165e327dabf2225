// A pool on the test database for one test file, closed after it: integrated
// tests act through the repository and assert through their own queries.
import type { Sql } from 'postgres';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPool } from '../../src/db/pool.js';
import { testDatabase } from './settings.js';

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
