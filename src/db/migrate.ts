// Applies the SQL files in migrations/ with postgrator, on our own postgres.js
// pool. Postgrator takes no lock, so we hold a PostgreSQL advisory lock around it:
// two services starting at once against one database apply each migration once.
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
  const connection = await sql.reserve(); // the lock is per session: keep one connection throughout
  try {
    await connection`select pg_advisory_lock(${LOCK_KEY})`;
    const postgrator = new Postgrator({
      migrationPattern: MIGRATIONS,
      driver: 'pg',
      database,
      schemaTable: 'schemaversion',
      execQuery: async (query) => ({ rows: await connection.unsafe(query) }),
      // A migration file may hold several statements: the simple protocol runs them as one implicit transaction.
      execSqlScript: async (script) => {
        await connection.unsafe(script).simple();
      },
    });
    const applied = await postgrator.migrate();
    return {
      applied: applied.map((m) => m.filename.split('/').pop() ?? m.filename),
      version: Number(await postgrator.getDatabaseVersion()),
    };
  } finally {
    await connection`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    connection.release();
  }
}
