// The embedded PostgreSQL as the development entries run it (npm start,
// npm run db:start): started on the config's port and data directory, watched and
// started again if it dies (like a compose restart policy), stopped last on
// shutdown, and announced in one line.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { reportFailure, type Shutdown } from './shutdown.js';

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
