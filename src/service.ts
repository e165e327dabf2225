// One running service: database pool → wait for the database → migrations → app
// → listen. Both process entries (server.ts for production, dev-server.ts for
// npm start) call this; close() stops HTTP first, then the pool.
import type { Logger } from 'pino';
import type { App } from './app.js';
import type { Config } from './config.js';
import { openMigratedPool } from './db/open.js';
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
  const sql = await openMigratedPool({ ...config.postgres, ...database }, (line) => logger.info(line));
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

/** Lets in-flight requests finish; past the grace period, cuts the rest. */
export async function closeApp(app: App, graceMs: number): Promise<void> {
  const grace = setTimeout(() => app.server.closeAllConnections(), graceMs);
  await app.close();
  clearTimeout(grace);
}
