// npm run db:migrate: like migrate.ts, but with POSTGRES_HOST unset it uses the
// embedded PostgreSQL: the one npm start is running on that data directory, or a
// fresh start of it that stops again afterwards.
import { loadConfig } from '../config.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { openMigratedPool } from '../db/open.js';
import { runMain } from './shutdown.js';

async function main() {
  const config = loadConfig();
  const migrateOn = async (host: string, port: number) => {
    const sql = await openMigratedPool({ ...config.postgres, host, port, poolSize: 1 }, console.log);
    await sql.end({ timeout: 5 });
  };
  if (config.postgres.host) return migrateOn(config.postgres.host, config.postgres.port);
  const embedded = await startEmbeddedPostgres({
    ...config.postgres,
    ...config.embeddedPostgres,
    attachToRunning: true,
    log: console.log,
  });
  try {
    await migrateOn('127.0.0.1', embedded.port);
  } finally {
    await embedded.stop();
  }
}

runMain('migration failed', main);
