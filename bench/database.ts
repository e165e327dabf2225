// The benchmark's database: a throw-away embedded PostgreSQL (with
// pg_stat_statements), or a `notes_bench` database on POSTGRES_HOST; its seeding;
// and the count of statements the service sent, for the mean batch size.
import { join } from 'node:path';
import postgres from 'postgres';
import type { Config } from '../src/config.js';
import { createDatabaseIfMissing } from '../src/dev/create-database.js';
import { startEmbeddedPostgres } from '../src/dev/embedded.js';
import { readLiveServer } from '../src/dev/embedded-files.js';
import { freePort } from '../tools/free-port.js';

export type Database = { host: string; port: number; user: string; password: string; database: string };

export interface BenchDatabase {
  settings: Database;
  /** The postmaster's pid, when it runs here: PostgreSQL's CPU can be read only then. */
  postgresPid: number | undefined;
  stop(): Promise<void>;
}

export async function benchDatabase(config: Config, workDir: string, connections: number): Promise<BenchDatabase> {
  const settings = { ...config.postgres, host: config.postgres.host ?? '127.0.0.1', database: 'notes_bench' };
  if (config.postgres.host) {
    await createDatabaseIfMissing(settings);
    return { settings, postgresPid: undefined, stop: async () => {} };
  }
  settings.port = await freePort();
  const embedded = await startEmbeddedPostgres({
    ...settings,
    dataDir: join(workDir, 'postgres'),
    startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
    ephemeral: true,
    settings: {
      // pgbench's clients, the pools of the service and of two layers, and the seeding connection.
      max_connections: connections + 3 * config.postgres.poolSize + 20,
      // Counts the statements the service sends: the mean batch size of coalescing.
      shared_preload_libraries: 'pg_stat_statements',
    },
    log: () => {},
  });
  const postgresPid = (await readLiveServer(embedded.dataDir))?.pid;
  return { settings, postgresPid, stop: () => embedded.stop() };
}

const connect = (database: Database) => postgres({ ...database, max: 1, onnotice: () => {} });

/** Exactly `notes` notes of 200 bytes, ids 1..notes, statistics fresh. */
export async function seed(database: Database, notes: number): Promise<void> {
  const sql = connect(database);
  const started = Date.now();
  await sql`truncate notes, idempotency_keys restart identity`;
  await sql`insert into notes (contents) select rpad('note ' || i, 200, '.') from generate_series(1, ${notes}) i`;
  await sql`vacuum analyze notes`;
  await sql.end();
  console.log(`seeded ${notes} notes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Statements the database ran on the bench database, from pg_stat_statements
 * (counted as each one ends, unlike the commit counter, which backends report up
 * to 10 s late): requests ÷ statements is the mean batch size. NaN where the
 * extension can't be had (a POSTGRES_HOST without it preloaded).
 */
export function statementCounter(database: Database) {
  const sql = connect(database);
  const ready = sql`create extension if not exists pg_stat_statements`.then(
    () => true,
    () => false,
  );
  return {
    async count() {
      if (!(await ready)) return Number.NaN;
      const [row] = await sql<{ n: string }[]>`
        select coalesce(sum(calls), 0) as n from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query !~ 'pg_stat_statements'`;
      return Number(row?.n);
    },
    end: () => sql.end(),
  };
}
