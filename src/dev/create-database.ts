// CREATE DATABASE if it isn't there: POSTGRES_DB may name a database that a fresh
// cluster (initdb) or a shared server doesn't have yet. Development tooling only:
// the embedded PostgreSQL and the benchmark; the service never creates databases.
import postgres from 'postgres';

export async function createDatabaseIfMissing(settings: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}): Promise<void> {
  const sql = postgres({ ...settings, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`select 1 from pg_database where datname = ${settings.database}`;
    if (!found) await sql.unsafe(`create database "${settings.database.replaceAll('"', '""')}"`);
  } finally {
    await sql.end();
  }
}
