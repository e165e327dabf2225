// npm start: the development entry. With POSTGRES_HOST unset it first starts the
// embedded PostgreSQL (data in .data/postgres, kept across restarts like the
// compose stack's volume), then runs the same service as production. Shutdown goes
// HTTP server → pool → PostgreSQL.
// npm run dev (--watch): the same, reloading the app in-process on every save (reload.ts).
import pretty from 'pino-pretty';
import { loadConfig } from '../config.js';
import type { ConnectionSettings } from '../db/pool.js';
import { createLogger } from '../logger.js';
import { unsupportedNode } from '../process/node-version.js';
import { startService } from '../process/service.js';
import { runMain, Shutdown } from '../process/shutdown.js';
import { createReloader } from './reload.js';
import { startWatchedEmbedded } from './run-embedded.js';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, process.stdout.isTTY ? pretty({ colorize: true }) : undefined);
  const shutdown = new Shutdown((line) => logger.info(line));
  const oldNode = unsupportedNode();
  if (oldNode) logger.warn(oldNode);
  await shutdown.start(async () => {
    let database: ConnectionSettings;
    if (config.postgres.host) {
      database = { ...config.postgres, host: config.postgres.host };
      logger.info(`PostgreSQL: POSTGRES_HOST ${database.host}:${database.port}, database ${database.database}`);
    } else {
      database = { ...config.postgres, host: '127.0.0.1', port: await startWatchedEmbedded(config, logger, shutdown) };
    }
    const reloader = process.argv.includes('--watch') ? await createReloader() : undefined;
    const service = await startService(config, database, logger, reloader);
    shutdown.add(() => service.close());
  });
}

runMain('failed to start', main);
