// A pool ready for the app: opened, the database waited for (and asked for TLS
// first when it must speak it), the statement timeout checked, pending migrations
// applied. The service, npm run dev, both migration commands and the test setup
// all start a database this way.
import type { Sql } from 'postgres';
import { ConfigError } from '../config-reader.js';
import { migrate } from './migrate.js';
import { type ConnectionSettings, openPool } from './pool.js';
import { describeTlsFailure, expectTlsOffered } from './tls.js';
import { waitForDatabase } from './wait.js';

export type Log = (line: string) => void;

/**
 * The pool, once the database answers and the schema is current; closed again if
 * either fails. `beforeMigrating` runs once the database answers, before any
 * migration: what fails there migrates nothing and closes the pool too.
 */
export async function openMigratedPool(
  settings: ConnectionSettings,
  log: Log,
  beforeMigrating?: () => Promise<void>,
): Promise<Sql> {
  const sql = openPool(settings);
  try {
    const tls = settings.sslMode === 'disable' ? undefined : () => expectTlsOffered(settings);
    await waitForDatabase(
      sql,
      { timeoutMs: settings.waitTimeoutMs, intervalMs: settings.waitIntervalMs, host: settings.host, log },
      tls,
    );
    await expectStatementTimeout(sql, settings.statementTimeoutMs);
    await beforeMigrating?.();
    await applyMigrations(sql, settings, log);
    return sql;
  } catch (error) {
    // Stryker disable next-line ObjectLiteral: nothing runs on a pool that failed to open; either end is at once
    await sql.end({ timeout: 0 });
    throw describeTlsFailure(error, settings) ?? error;
  }
}

/**
 * The statement timeout is sent as a startup parameter, which a pooler may drop
 * (PgBouncer does, when told to ignore it rather than refuse the connection): the
 * service would then run without one. Checked once, where a mismatch is one line.
 */
export async function expectStatementTimeout(sql: Sql, expectedMs: number): Promise<void> {
  const [row] = await sql<
    { ms: number }[]
  >`select setting::int as ms from pg_settings where name = 'statement_timeout'`;
  if (row?.ms === expectedMs) return;
  throw new ConfigError(
    `the server's statement_timeout is ${row?.ms} ms, but POSTGRES_STATEMENT_TIMEOUT_MS is ${expectedMs}: ` +
      'something between dropped the startup parameter; set it there (PgBouncer: connect_query = ' +
      `'SET statement_timeout = ${expectedMs}') or on the role (ALTER ROLE … SET statement_timeout = ${expectedMs})`,
  );
}

export async function applyMigrations(
  sql: Sql,
  {
    database,
    allowNewerSchema,
    directory,
  }: Pick<ConnectionSettings, 'database' | 'allowNewerSchema'> & { /** Not migrations/ (tests). */ directory?: string },
  log: Log,
): Promise<void> {
  const { applied, version, newerThanCode, waiting } = await migrate(sql, database, { allowNewerSchema, directory });
  for (const file of waiting ?? []) log(`migrations/${file} holds no statement yet: applied once it does`);
  if (newerThanCode !== undefined) {
    log(
      `schema version ${version} is newer than this code's latest migration (${newerThanCode}): running anyway (POSTGRES_ALLOW_NEWER_SCHEMA)`,
    );
  } else {
    log(
      applied.length
        ? `applied ${applied.join(', ')}; schema version ${version}`
        : `schema is up to date (version ${version})`,
    );
  }
}
