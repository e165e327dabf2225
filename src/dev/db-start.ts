// npm run db:start: the embedded PostgreSQL alone, in the foreground until
// SIGTERM or Ctrl-C, restarted if it dies (EMBEDDED_POSTGRES_WATCH_INTERVAL_MS),
// as npm start runs it. For what starts its own services against it: the scaled
// stack (scripts/scaled-stack), a database client, or a service from an IDE.
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { runMain, Shutdown } from '../process/shutdown.js';
import { startWatchedEmbedded } from './run-embedded.js';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const shutdown = new Shutdown((line) => logger.info(line));
  await shutdown.start(async () => {
    await startWatchedEmbedded(config, logger, shutdown);
    // The server runs detached (pg_ctl) and the watch doesn't hold the event loop:
    // without a handle of its own this process would end here and orphan it.
    const alive = setInterval(() => {}, 2 ** 30);
    shutdown.add(async () => clearInterval(alive));
  });
}

runMain('failed to start', main);
