// One running service: database pool → wait for the database → migrations → app
// → listen. Both process entries (server.ts for production, dev-server.ts for
// npm start) call this; close() stops HTTP first, then the pool.
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { App } from './app.js';
import type { Config } from './config.js';
import { openPool, waitForDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { wireApp } from './wiring.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startService(
  config: Config,
  database: { host: string; port: number },
  logger: Logger,
): Promise<RunningService> {
  const sql = await openDatabase(config, database, logger);
  try {
    const app = wireApp(config, sql, logger);
    const url = await app.listen({ host: config.host, port: config.apiPort });
    return {
      url,
      async close() {
        await closeApp(app, config.shutdownGraceMs);
        await sql.end({ timeout: config.shutdownGraceMs / 1000 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

/** The pool, once the database answers and the schema is current. */
export async function openDatabase(
  config: Config,
  database: { host: string; port: number },
  logger: Logger,
): Promise<Sql> {
  const sql = openPool({ ...config.postgres, ...database });
  try {
    await waitForDatabase(sql, {
      timeoutMs: config.postgres.waitTimeoutMs,
      intervalMs: config.postgres.waitIntervalMs,
    });
    await applyMigrations(sql, config, logger);
    return sql;
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

export async function applyMigrations(sql: Sql, config: Config, logger: Logger): Promise<void> {
  const { applied, version } = await migrate(sql, config.postgres.database);
  logger.info({ applied, version }, applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
}

/** Lets in-flight requests finish; past the grace period, cuts the rest. */
export async function closeApp(app: App, graceMs: number): Promise<void> {
  const grace = setTimeout(() => app.server.closeAllConnections(), graceMs);
  await app.close();
  clearTimeout(grace);
}
