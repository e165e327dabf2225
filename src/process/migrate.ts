// Production migration entry (node dist/process/migrate.js): wait for POSTGRES_HOST's
// database, apply pending migrations, exit. The service does the same at start;
// this is for applying them ahead of a deploy, or by hand.

import { loadConfig } from '../config.js';
import { ConfigError } from '../config-reader.js';
import { openMigratedPool } from '../db/open.js';
import { runMain } from './shutdown.js';

async function main() {
  const config = loadConfig();
  if (!config.postgres.host) throw new ConfigError('POSTGRES_HOST must be set');
  const sql = await openMigratedPool({ ...config.postgres, host: config.postgres.host, poolSize: 1 }, console.log);
  await sql.end({ timeout: 5 });
}

runMain('migration failed', main);
