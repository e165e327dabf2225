// Applies the SQL files in migrations/ with postgrator, on our own postgres.js
// pool. Postgrator takes no lock, so we hold a PostgreSQL advisory lock around it:
// two services starting at once against one database apply each migration once.
// The lock is the transaction's, and every pending migration runs in that one
// transaction: a transaction pooler (PgBouncer) keeps a transaction on one server
// connection but not a session, so a session lock could be taken on one
// connection and released on another. Pending migrations apply all or none; a
// statement that can't run in a transaction (CREATE INDEX CONCURRENTLY) can't be one.
//
// A new file that holds no statement yet (make make_migration's, just created) is
// not applied: a service that reloads on every save would apply it empty, and the
// SQL written into it next would never run (postgrator's checksum then fails).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Sql } from 'postgres';
import { ConfigError } from '../config-reader.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
const LOCK_KEY = 7_346_225_118; // any constant: it names "notes-service migrations" among advisory locks

export interface MigrationResult {
  applied: string[];
  version: number;
  /** Pending files that hold no statement yet, left for a later start or reload. */
  waiting?: string[];
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
  { allowNewerSchema = false, directory = MIGRATIONS_DIR }: { allowNewerSchema?: boolean; directory?: string } = {},
): Promise<MigrationResult> {
  const result = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    const postgrator = new Postgrator({
      migrationPattern: join(directory, '*.sql'),
      driver: 'pg',
      database,
      schemaTable: 'schemaversion',
      execQuery: async (query) => ({ rows: await tx.unsafe(query) }),
      // A migration file may hold several statements: the simple protocol takes them as one string.
      execSqlScript: async (script) => {
        await tx.unsafe(script).simple();
      },
    });
    // By version: postgrator sorts file names as text, where 1000 comes before 999.
    const pending = (await postgrator.getMigrations())
      .filter((migration) => migration.action === 'do')
      .sort((a, b) => a.version - b.version);
    const before = Number(await postgrator.getDatabaseVersion());
    // Each file not yet applied read once: whether it holds a statement yet.
    const ahead = pending
      .filter((migration) => migration.version > before)
      .map((migration) => ({ ...migration, holds: holdsStatement(migration.filename) }));
    const waiting = ahead.filter((migration) => !migration.holds);
    const firstWaiting = waiting[0];
    const after = firstWaiting && ahead.slice(ahead.indexOf(firstWaiting) + 1).find((migration) => migration.holds);
    if (firstWaiting && after) {
      throw new ConfigError(
        `migrations/${basename(firstWaiting.filename)} holds no statement, but ${basename(after.filename)} follows it: ` +
          'write it or remove it',
      );
    }
    const applied = await postgrator.migrate(firstWaiting ? String(firstWaiting.version - 1) : 'max').catch((error) => {
      throw changedAfterApplied(error, pending);
    });
    const version = Number(await postgrator.getDatabaseVersion());
    const latest = Number(await postgrator.getMaxVersion());
    if (version > latest && !allowNewerSchema) {
      throw new SchemaAheadError(
        `the database is at schema version ${version}, newer than this code's latest migration (${latest}): ` +
          'run the code that has it, or set POSTGRES_ALLOW_NEWER_SCHEMA=true while old and new versions run side by side',
      );
    }
    return {
      applied: applied.map((m) => basename(m.filename)),
      version,
      ...(waiting.length ? { waiting: waiting.map((m) => basename(m.filename)) } : {}),
      ...(version > latest ? { newerThanCode: latest } : {}),
    };
  });
  return result as MigrationResult;
}

/** Whether a migration file holds anything but comments and white space. */
function holdsStatement(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--.*$/gm, '')
      .trim() !== ''
  );
}

/** Postgrator's "MD5 checksum failed for migration [3]" as one line naming the file and the ways out. */
function changedAfterApplied(error: unknown, migrations: Array<{ version: number; filename: string }>): unknown {
  // Stryker disable next-line Regex: postgrator's message is exactly this; the anchors only guard against another one
  const version = /^MD5 checksum failed for migration \[(\d+)\]$/.exec((error as Error).message)?.[1];
  const file = migrations.find((migration) => migration.version === Number(version))?.filename;
  if (!file) return error;
  return new ConfigError(
    `migrations/${basename(file)} changed after this database applied it: revert the file and put the change ` +
      'in a new migration (make make_migration NAME=…), or, for a throw-away development database, make destroy to start afresh',
  );
}
