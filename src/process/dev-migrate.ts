// npm run db:migrate: like migrate.ts, but with POSTGRES_HOST unset it uses the
// embedded PostgreSQL: the one npm start is running on that data directory, or a
// fresh start of it that stops again afterwards.
import { loadConfig } from '../config.js';
import { withDevelopmentDatabase } from './dev-embedded.js';
import { runMain } from './shutdown.js';

async function main() {
  // Opening the pool applies the pending migrations; there is nothing more to do.
  await withDevelopmentDatabase(loadConfig(), console.log, async () => {});
}

runMain('migration failed', main);
