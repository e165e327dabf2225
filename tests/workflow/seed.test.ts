// npm run db:seed -- N (make seed N=…): N realistic notes in one statement, said
// in one line with how long it took; a bad N is one line and exit code 2.
import { execFile } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseEnv } from '../../tools/service-process.js';
import { ROOT } from '../support/make.js';
import { testDatabase } from '../support/provided.js';

const seed = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npm',
      ['run', '-s', 'db:seed', '--', ...args],
      { cwd: ROOT, env: { ...process.env, ...databaseEnv(testDatabase()) }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

const sql = postgres({ ...testDatabase(), max: 1, onnotice: () => {} });
afterAll(() => sql.end());

describe('npm run db:seed', () => {
  it('adds N notes of plausible text in ascending creation order, and says how many and how long', async () => {
    const [before] = await sql<{ id: string | null }[]>`select max(id) as id from notes`;
    const started = Date.now();
    const result = await seed(['2000']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^seeded 2000 notes in ([1-9]\d{0,2} ms|\d+\.\d s) into 127\.0\.0\.1:\d+, database \S+\n$/,
    );

    const rows = await sql<{ contents: string; category: string; creation_date: Date }[]>`
      select contents, category, creation_date from notes where id > ${before?.id ?? 0} order by id`;
    expect(rows.length).toBeGreaterThanOrEqual(2000);
    const seeded = rows.slice(-2000);
    expect(seeded.every((row) => /^[A-Z][a-z]+( [a-z]+)? \S/.test(row.contents))).toBe(true);
    expect(new Set(seeded.map((row) => row.contents)).size).toBeGreaterThan(100);
    const dates = seeded.map((row) => row.creation_date.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect([...new Set(seeded.map((row) => row.category))].sort()).toEqual(['', 'errands', 'home', 'work']);
    // Analyzed: the planner knows the table it just grew.
    const [analyzed] = await sql<{ at: Date | null }[]>`
      select last_analyze as at from pg_stat_user_tables where relname = 'notes'`;
    expect(analyzed?.at?.getTime()).toBeGreaterThanOrEqual(started - 1_000);
  });

  it.each([['abc'], ['0'], ['-5'], ['10000001'], []])('refuses N=%s in one line with exit code 2', async (...args) => {
    const result = await seed(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: npm run db:seed -- N .*, got .+\n$/);
  });
});
