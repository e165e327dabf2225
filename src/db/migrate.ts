// Applies the SQL files in migrations/ with postgrator, on our own postgres.js
// pool. Postgrator takes no lock, so we hold a PostgreSQL advisory lock around it:
// two services starting at once against one database apply each migration once.
// The lock is the transaction's, and every pending migration runs in that one
// transaction: a transaction pooler (PgBouncer) keeps a transaction on one server
// connection but not a session, so a session lock could be taken on one
// connection and released on another. Pending migrations apply all or none; a
// statement that can't run in a transaction (CREATE INDEX CONCURRENTLY) can't be one.
import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Sql } from 'postgres';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/*.sql', import.meta.url));
const LOCK_KEY = 7_346_225_118; // any constant: it names "notes-service migrations" among advisory locks

export interface MigrationResult {
  applied: string[];
  version: number;
}

export async function migrate(sql: Sql, database: string): Promise<MigrationResult> {
  const result = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    const postgrator = new Postgrator({
      migrationPattern: MIGRATIONS,
      driver: 'pg',
      database,
      schemaTable: 'schemaversion',
      execQuery: async (query) => ({ rows: await tx.unsafe(query) }),
      // A migration file may hold several statements: the simple protocol takes them as one string.
      execSqlScript: async (script) => {
        await tx.unsafe(script).simple();
      },
    });
    const applied = await postgrator.migrate();
    return {
      applied: applied.map((m) => m.filename.split('/').pop() ?? m.filename),
      version: Number(await postgrator.getDatabaseVersion()),
    };
  });
  return result as MigrationResult;
}
