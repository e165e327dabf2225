// Opening the postgres.js pool from the config, and the two checks built on it:
// a one-shot ping (readiness) and a wait with deadline (start-up, migrations).
import { setTimeout } from 'node:timers/promises';
import postgres, { type Sql } from 'postgres';
import type { PostgresConfig } from '../config.js';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './errors.js';

export type ConnectionSettings = Omit<PostgresConfig, 'host'> & { host: string };

export function openPool(settings: ConnectionSettings): Sql {
  return postgres({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    max: settings.poolSize,
    connect_timeout: settings.connectTimeoutMs / 1000,
    idle_timeout: 60,
    // postgres.js backs off up to 20 s between reconnects by default: after an
    // outage the pool would stay cold long after the database is back.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, settings.reconnectMaxDelayMs / 1000),
    onnotice: () => {}, // "relation already exists, skipping" and friends are not news
    connection: {
      application_name: 'notes-service',
      statement_timeout: settings.statementTimeoutMs,
    },
  });
}

export async function pingDatabase(sql: Sql): Promise<void> {
  try {
    await sql`select 1`;
  } catch (error) {
    throw new DatabaseUnavailableError('the database did not answer', { cause: error });
  }
}

/**
 * The talk's tenacity loop: ping every `intervalMs` until the database answers or
 * `timeoutMs` has passed, then fail with the last reason it gave.
 */
export async function waitForDatabase(
  sql: Sql,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      // Wrong password or unknown database won't fix themselves: fail at once.
      if (!isDatabaseUnavailable(error)) throw error;
      if (Date.now() + intervalMs > deadline) {
        throw new DatabaseUnavailableError(
          `the database did not answer within ${timeoutMs} ms (${(error as Error).message})`,
          { cause: error },
        );
      }
      await setTimeout(intervalMs);
    }
  }
}
