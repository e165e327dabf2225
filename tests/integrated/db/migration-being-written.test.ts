// A migration being written while the service reloads on every save: the file
// make make_migration creates is not applied while it holds no statement, the
// SQL written into it is applied at the next migrate, and an applied file that
// changes afterwards stops the start in one line naming the ways out. Each test
// has a copy of the migrations and a database of its own, so they run at once.
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it as base, expect } from 'vitest';
import { ConfigError } from '../../../src/config-reader.js';
import { migrate } from '../../../src/db/migrate.js';
import { applyMigrations } from '../../../src/db/open.js';
import { openPool } from '../../../src/db/pool.js';
import { createDatabaseIfMissing } from '../../../src/dev/create-database.js';
import { describeAtOnce } from '../../support/at-once.js';
import { useTestDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/provided.js';

const admin = useTestDatabase();
const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));
/** What scripts/new-migration writes. */
const TEMPLATE =
  '-- add-tags: forward-only; runs in one transaction at the next start, reload or make db_migration, once it holds a statement.\n';

/** A copy of the migrations, applied to a database of the test's own; `next` names the file after the last. */
interface Writing {
  directory: string;
  name: string;
  sql: ReturnType<typeof openPool>;
  latest: number;
  next: () => string;
}

const it = base.extend<{ writing: Writing }>({
  // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a fixture's dependencies from this pattern
  writing: async ({}, use) => {
    const directory = await mkdtemp(join(tmpdir(), 'notes-migrations-'));
    await cp(MIGRATIONS, directory, { recursive: true });
    const latest = Math.max(...(await readdir(directory)).map((file) => Number.parseInt(file, 10)));
    const name = `notes_writing_${randomUUID().replaceAll('-', '')}`;
    await createDatabaseIfMissing({ ...testDatabase(), database: name });
    const sql = openPool({ ...testDatabase(), database: name, poolSize: 1 });
    try {
      await migrate(sql, name, { directory });
      await use({ directory, name, sql, latest, next: () => `${String(latest + 1).padStart(3, '0')}.do.add-tags.sql` });
    } finally {
      await sql.end();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await rm(directory, { recursive: true, force: true });
    }
  },
});

describeAtOnce('a migration being written', () => {
  it('leaves a new file that holds only comments for later, says so, and applies it once it holds SQL', async ({
    writing: { directory, name, sql, latest, next },
  }) => {
    await writeFile(join(directory, next()), `${TEMPLATE}/* tags on notes:\n   a list of words */\n\n`);
    const lines: string[] = [];
    await expect(migrate(sql, name, { directory })).resolves.toEqual({
      applied: [],
      version: latest,
      waiting: [next()],
    });
    await applyMigrations(sql, { database: name, allowNewerSchema: false, directory }, (line) => lines.push(line));
    expect(lines).toEqual([
      `migrations/${next()} holds no statement yet: applied once it does`,
      `schema is up to date (version ${latest})`,
    ]);

    await writeFile(join(directory, next()), `${TEMPLATE}/* tags */\nalter table notes add column tags text[];\n`);
    await expect(migrate(sql, name, { directory })).resolves.toEqual({ applied: [next()], version: latest + 1 });
    expect(
      await sql`select column_name from information_schema.columns where table_name = 'notes' and column_name = 'tags'`,
    ).toEqual([{ column_name: 'tags' }]);
  });

  it('refuses a file without a statement that another file follows', async ({
    writing: { directory, name, sql, latest, next },
  }) => {
    await writeFile(join(directory, next()), TEMPLATE);
    const after = `${String(latest + 2).padStart(3, '0')}.do.more.sql`;
    await writeFile(join(directory, after), 'select 1;\n');
    await expect(migrate(sql, name, { directory })).rejects.toThrow(
      new ConfigError(`migrations/${next()} holds no statement, but ${after} follows it: write it or remove it`),
    );
  });

  it.for([
    ['another statement', 'alter table notes add column labels text[];\n'],
    ['no statement left', TEMPLATE],
  ])(
    'names the file and the ways out when an applied migration has changed since (%s)',
    async ([, changed = ''], { writing: { directory, name, sql, latest } }) => {
      // Numbered past 9, as a real history soon is.
      const file = `${String(latest + 10).padStart(3, '0')}.do.add-tags.sql`;
      await writeFile(join(directory, file), 'alter table notes add column tags text[];\n');
      await migrate(sql, name, { directory });
      await writeFile(join(directory, file), changed);
      await expect(migrate(sql, name, { directory })).rejects.toThrow(
        new ConfigError(
          `migrations/${file} changed after this database applied it: revert the file and put the change in a new ` +
            'migration (make make_migration NAME=…), or, for a throw-away development database, make destroy to start afresh',
        ),
      );
    },
  );

  it('takes no undo file for a migration waiting to be written', async ({
    writing: { directory, name, sql, latest, next },
  }) => {
    await writeFile(join(directory, next().replace('.do.', '.undo.')), '');
    await writeFile(join(directory, next()), 'alter table notes add column tags text[];\n');
    await expect(migrate(sql, name, { directory })).resolves.toEqual({ applied: [next()], version: latest + 1 });
  });

  it('orders migrations by number, not by file name: a 1000 still being written waits behind a 999 that is done', async ({
    writing: { directory, name, sql },
  }) => {
    await writeFile(join(directory, '999.do.done.sql'), 'alter table notes add column tags text[];\n');
    await writeFile(join(directory, '1000.do.being-written.sql'), TEMPLATE);
    await expect(migrate(sql, name, { directory })).resolves.toEqual({
      applied: ['999.do.done.sql'],
      version: 999,
      waiting: ['1000.do.being-written.sql'],
    });
  });

  it('passes on the database’s own error for a migration that fails, and applies nothing of it', async ({
    writing: { directory, name, sql, latest, next },
  }) => {
    await writeFile(join(directory, next()), 'alter table notes add colum tags text[];\n');
    await expect(migrate(sql, name, { directory })).rejects.toMatchObject({ code: '42601' }); // syntax error
    expect(await sql`select max(version)::int as version from schemaversion`).toEqual([{ version: latest }]);
  });
});
