// One running service: database pool → wait for the database → migrations → app
// → listen. Both process entries (server.ts for production, dev-server.ts for
// npm start) call this; close() stops HTTP first, then the pool.
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openPool, pingDatabase, waitForDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { notesRepository } from './notes/repository.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startService(
  config: Config,
  database: { host: string; port: number },
  logger: Logger,
): Promise<RunningService> {
  const sql = openPool({ ...config.postgres, ...database });
  try {
    await waitForDatabase(sql, {
      timeoutMs: config.postgres.waitTimeoutMs,
      intervalMs: config.postgres.waitIntervalMs,
    });
    const { applied, version } = await migrate(sql, config.postgres.database);
    logger.info(
      { applied, version },
      applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date',
    );

    const app = buildApp({ config, logger, notes: notesRepository(sql), readiness: () => pingDatabase(sql) });
    const url = await app.listen({ host: config.host, port: config.apiPort });
    return {
      url,
      async close() {
        // app.close() lets in-flight requests finish; past the grace period, cut the rest.
        const grace = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
        await app.close();
        clearTimeout(grace);
        await sql.end({ timeout: config.shutdownGraceMs / 1000 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}
