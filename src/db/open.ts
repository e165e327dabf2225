// A pool ready for the app: opened, the database waited for, pending migrations
// applied. The service, npm run dev, both migration commands and the test setup
// all start a database this way.
import type { Sql } from 'postgres';
import { migrate } from './migrate.js';
import { type ConnectionSettings, openPool } from './pool.js';
import { waitForDatabase } from './wait.js';

export type Log = (line: string) => void;

/** The pool, once the database answers and the schema is current; closed again if either fails. */
export async function openMigratedPool(settings: ConnectionSettings, log: Log): Promise<Sql> {
  const sql = openPool(settings);
  try {
    await waitForDatabase(sql, { timeoutMs: settings.waitTimeoutMs, intervalMs: settings.waitIntervalMs });
    await applyMigrations(sql, settings.database, log);
    return sql;
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

export async function applyMigrations(sql: Sql, database: string, log: Log): Promise<void> {
  const { applied, version } = await migrate(sql, database);
  log(
    applied.length
      ? `applied ${applied.join(', ')}; schema version ${version}`
      : `schema is up to date (version ${version})`,
  );
}
