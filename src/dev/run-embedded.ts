// The embedded PostgreSQL as the development entries use it: run and watched for
// npm start and npm run db:start (started again if it dies, like a compose restart
// policy, stopped last on shutdown), or borrowed for one job by the database
// commands (npm run db:migrate, db:seed).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { Config } from '../config.js';
import { openMigratedPool } from '../db/open.js';
import { reportFailure, type Shutdown } from '../process/shutdown.js';
import { startEmbeddedPostgres } from './embedded.js';

export async function startWatchedEmbedded(config: Config, logger: Logger, shutdown: Shutdown): Promise<number> {
  const { watchIntervalMs } = config.embeddedPostgres;
  const embedded = await startEmbeddedPostgres({
    ...config.postgres,
    ...config.embeddedPostgres,
    log: (line) => logger.info(line),
    watch: watchIntervalMs
      ? {
          intervalMs: watchIntervalMs,
          giveUp: (reason) => {
            reportFailure('stopping', reason);
            void shutdown.run(1);
          },
        }
      : undefined,
  });
  shutdown.add(async () => {
    await embedded.stop();
    logger.info('PostgreSQL stopped');
  });
  logger.info(`PostgreSQL: embedded, on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`);
  return embedded.port;
}

/**
 * `work` on a migrated one-connection pool of the development database: POSTGRES_HOST
 * if set, else the embedded PostgreSQL, the one npm start runs on that data
 * directory or a start of it that stops again afterwards (npm run db:migrate, db:seed).
 */
export async function withDevelopmentDatabase<T>(
  config: Config,
  log: (line: string) => void,
  work: (sql: Sql) => Promise<T>,
): Promise<T> {
  const on = async (host: string, port: number) => {
    const sql = await openMigratedPool({ ...config.postgres, host, port, poolSize: 1 }, log);
    try {
      return await work(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  if (config.postgres.host) return on(config.postgres.host, config.postgres.port);
  const embedded = await startEmbeddedPostgres({
    ...config.postgres,
    ...config.embeddedPostgres,
    attachToRunning: true,
    log,
  });
  try {
    return await on('127.0.0.1', embedded.port);
  } finally {
    await embedded.stop();
  }
}
