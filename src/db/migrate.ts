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
  /** The database is at a version newer than the code's latest migration (allowed by the caller). */
  newerThanCode?: number;
}

/** The database holds a migration this code doesn't have: an older build against a newer schema. */
export class SchemaAheadError extends Error {}

/**
 * Applies the pending migrations. A database already past the code's latest one
 * stops the start, as Alembic and Flyway do, unless `allowNewerSchema` (a rolling
 * deploy, where the old version keeps running beside the new one for a while).
 */
export async function migrate(
  sql: Sql,
  database: string,
  { allowNewerSchema = false }: { allowNewerSchema?: boolean } = {},
): Promise<MigrationResult> {
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
    const version = Number(await postgrator.getDatabaseVersion());
    const latest = Number(await postgrator.getMaxVersion());
    if (version > latest && !allowNewerSchema) {
      throw new SchemaAheadError(
        `the database is at schema version ${version}, newer than this code's latest migration (${latest}): ` +
          'run the code that has it, or set POSTGRES_ALLOW_NEWER_SCHEMA=true while old and new versions run side by side',
      );
    }
    return {
      applied: applied.map((m) => m.filename.split('/').pop() ?? m.filename),
      version,
      ...(version > latest ? { newerThanCode: latest } : {}),
    };
  });
  return result as MigrationResult;
}
