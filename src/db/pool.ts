// The postgres.js pool, opened from the config (TLS and prepared statements as
// set), and the one-shot ping that readiness and start-up are built on.
import postgres, { type Sql } from 'postgres';
import type { PostgresConfig } from '../config.js';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { isoTimestamp, TIMESTAMPTZ } from './timestamps.js';
import { postgresSsl } from './tls.js';

export type ConnectionSettings = Omit<PostgresConfig, 'host'> & { host: string };

export function openPool(settings: ConnectionSettings): Sql {
  return postgres({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    max: settings.poolSize,
    prepare: settings.prepare,
    ssl: postgresSsl(settings),
    connect_timeout: settings.connectTimeoutMs / 1000,
    idle_timeout: 60,
    // postgres.js backs off up to 20 s between reconnects by default: after an
    // outage the pool would stay cold long after the database is back.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, settings.reconnectMaxDelayMs / 1000),
    onnotice: () => {}, // "relation already exists, skipping" and friends are not news
    // timestamptz arrives as ISO-8601 text (src/db/timestamps.ts), not a Date: what
    // an answer carries anyway, read from the session's UTC text without a Date between.
    types: {
      timestamptz: {
        to: TIMESTAMPTZ,
        from: [TIMESTAMPTZ],
        serialize: (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString(),
        parse: isoTimestamp,
      },
    },
    connection: {
      application_name: 'notes-service',
      statement_timeout: settings.statementTimeoutMs,
      // Stryker disable next-line StringLiteral: speed only; text in another zone is read through Date, alike
      TimeZone: 'UTC',
    },
  });
}

/** Resolves when the database answers a query; any failure reads as DatabaseUnavailableError. */
export async function pingDatabase(sql: Sql): Promise<void> {
  try {
    // Stryker disable next-line StringLiteral: an empty query is a round trip too
    await sql`select 1`;
  } catch (error) {
    throw new DatabaseUnavailableError('the database did not answer', { cause: error });
  }
}
