// npm run db:migrate: like migrate.ts, but with POSTGRES_HOST unset it uses the
// embedded PostgreSQL: the one npm start is running on that data directory, or a
// fresh start of it that stops again afterwards.
import { loadConfig } from '../config.js';
import { runMain } from '../process/shutdown.js';
import { withDevelopmentDatabase } from './run-embedded.js';

async function main() {
  // Opening the pool applies the pending migrations; there is nothing more to do.
  await withDevelopmentDatabase(loadConfig(), console.log, async () => {});
}

runMain('migration failed', main);
