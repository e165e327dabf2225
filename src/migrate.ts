// npm run db:migrate (and the image's migrate command): wait for the database,
// apply pending migrations, exit. With POSTGRES_HOST unset it uses the embedded
// PostgreSQL: the one npm start is running, or a fresh start of it.
import { loadConfig } from './config.js';
import { openPool, waitForDatabase } from './db/connect.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './db/embedded.js';
import { migrate } from './db/migrate.js';
import { reportFailure } from './shutdown.js';

async function main() {
  const config = loadConfig();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let embedded: EmbeddedPostgres | undefined;
  if (!config.postgres.host) {
    embedded = await startEmbeddedPostgres({
      ...config.postgres,
      ...config.embeddedPostgres,
      attachToRunning: true,
      log,
    });
  }
  const sql = openPool({
    ...config.postgres,
    host: config.postgres.host ?? '127.0.0.1',
    port: embedded?.port ?? config.postgres.port,
  });
  try {
    await waitForDatabase(sql, {
      timeoutMs: config.postgres.waitTimeoutMs,
      intervalMs: config.postgres.waitIntervalMs,
    });
    const { applied, version } = await migrate(sql, config.postgres.database);
    log(
      applied.length
        ? `applied ${applied.join(', ')}; schema version ${version}`
        : `schema is up to date (version ${version})`,
    );
  } finally {
    await sql.end({ timeout: 5 });
    await embedded?.stop();
  }
}

main().catch((error) => {
  reportFailure('migration failed', error);
  process.exit(1);
});
