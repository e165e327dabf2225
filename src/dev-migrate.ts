// npm run db:migrate: like migrate.ts, but with POSTGRES_HOST unset it uses the
// embedded PostgreSQL: the one npm start is running on that data directory, or a
// fresh start of it that stops again afterwards.
import { loadConfig } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrateDatabase } from './db/run-migrations.js';
import { reportFailure } from './shutdown.js';

async function main() {
  const config = loadConfig();
  if (config.postgres.host) {
    await migrateDatabase(config, { host: config.postgres.host, port: config.postgres.port }, console.log);
    return;
  }
  const embedded = await startEmbeddedPostgres({
    ...config.postgres,
    ...config.embeddedPostgres,
    attachToRunning: true,
    log: console.log,
  });
  try {
    await migrateDatabase(config, { host: '127.0.0.1', port: embedded.port }, console.log);
  } finally {
    await embedded.stop();
  }
}

main().catch((error) => {
  reportFailure('migration failed', error);
  process.exit(1);
});
