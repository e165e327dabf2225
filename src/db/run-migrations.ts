// The migration command's work, shared by its production and development entries:
// open a pool, wait for the database, apply pending migrations, close.
import type { Config } from '../config.js';
import { openPool, waitForDatabase } from './connect.js';
import { migrate } from './migrate.js';

export async function migrateDatabase(
  config: Config,
  database: { host: string; port: number },
  log: (line: string) => void,
): Promise<void> {
  const sql = openPool({ ...config.postgres, ...database, poolSize: 1 });
  try {
    await waitForDatabase(sql, {
      timeoutMs: config.postgres.waitTimeoutMs,
      intervalMs: config.postgres.waitIntervalMs,
    });
    const { applied, version } = await migrate(sql, config.postgres.database);
    log(
      applied.length
        ? `applied ${applied.join(', ')}; schema version ${version}`
        : `schema is up to date (version ${version})`,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}
