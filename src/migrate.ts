// Production migration entry (node dist/migrate.js): wait for POSTGRES_HOST's
// database, apply pending migrations, exit. The service does the same at start;
// this is for applying them ahead of a deploy, or by hand.
import { ConfigError, loadConfig } from './config.js';
import { migrateDatabase } from './db/run-migrations.js';
import { reportFailure } from './shutdown.js';

async function main() {
  const config = loadConfig();
  if (!config.postgres.host) throw new ConfigError('POSTGRES_HOST must be set');
  await migrateDatabase(config, { host: config.postgres.host, port: config.postgres.port }, console.log);
}

main().catch((error) => {
  reportFailure('migration failed', error);
  process.exit(1);
});
