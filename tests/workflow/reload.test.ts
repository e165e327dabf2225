// npm run dev natively (make run_reloading without Docker): a save under src/ is
// served on the same port without a restart, a save that doesn't build leaves the
// running version serving, and a migration added meanwhile is applied at the next
// reload. It runs from a copy of the working tree, on a database of its own.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing } from '../../src/dev/create-database.js';
import { databaseEnv, type ServiceProcess, startProcess } from '../../tools/service-process.js';
import { waitFor } from '../../tools/wait.js';
import { testDatabase } from '../support/provided.js';
import { readTestSettings } from '../support/settings.js';
import { useWorkingCopy } from '../support/working-copy.js';

const copy = useWorkingCopy('reload');
const database = `notes_reload_${randomUUID().replaceAll('-', '')}`;
const SAVES = 5;
let service: ServiceProcess;
let logFile: string;

const admin = () => postgres({ ...testDatabase(), database: 'postgres', max: 1, onnotice: () => {} });

beforeAll(async () => {
  await copy.create();
  await createDatabaseIfMissing({ ...testDatabase(), database });
  logFile = join(copy.dir, 'dev.log');
  service = await startProcess(
    ['--import', 'tsx', 'src/dev/start.ts', '--watch'],
    logFile,
    readTestSettings().appWait,
    { cwd: copy.dir, env: { ...databaseEnv({ ...testDatabase(), database }), LOG_LEVEL: 'info' } },
  );
}, 60_000);

afterAll(async () => {
  await service?.stop();
  const sql = admin();
  await sql.unsafe(`drop database if exists "${database}" with (force)`);
  await sql.end();
});

const notFoundMessage = async () =>
  ((await (await fetch(`${service.url}/no-such-route`)).json()) as { message: string }).message;

/** Resolves once the service answers with `served`; how long that took from `since`. */
async function servedWithin(served: (message: string) => boolean, since: number): Promise<number> {
  await waitFor(
    'the save was not served',
    async () => {
      if (!served(await notFoundMessage())) throw new Error('still the previous version');
    },
    { timeoutMs: 15_000, intervalMs: 10 },
  );
  return Date.now() - since;
}

describe('npm run dev', () => {
  it(`serves each save under src/ on the same port (${SAVES} saves)`, async () => {
    const took: number[] = [];
    for (let save = 1; save <= SAVES; save++) {
      const saved = Date.now();
      took.push(await servedWithin(await copy.rewordNotFound(`(save ${save})`), saved));
    }
    const median = [...took].sort((a, b) => a - b)[Math.floor(SAVES / 2)];
    console.log(`reload natively, from save to the edit served: median ${median} ms (${took.join(', ')} ms)`);
    expect(service.child.exitCode).toBeNull(); // the same process throughout
  });

  it('keeps the running version when a save does not build, and says why in its log', async () => {
    const before = await notFoundMessage();
    await copy.write('src/http/broken-on-purpose.ts', 'export const broken = ;\n');
    const app = await readFile(join(copy.dir, 'src/http/app.ts'), 'utf8');
    await copy.write('src/http/app.ts', `import './broken-on-purpose.js';\n${app}`);
    await waitFor(
      'no reload failure was logged',
      async () => {
        if (!(await readFile(logFile, 'utf8')).includes('reload failed, still serving the previous version')) {
          throw new Error('not yet');
        }
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(await notFoundMessage()).toBe(before);

    await copy.write('src/http/app.ts', app);
    const saved = Date.now();
    await servedWithin(await copy.rewordNotFound('(mended)'), saved);
  });

  it('applies a migration saved while it runs', async () => {
    await copy.write('migrations/900.do.reload-probe.sql', 'create table reload_probe (id int);\n');
    const sql = postgres({ ...testDatabase(), database, max: 1, onnotice: () => {} });
    try {
      await waitFor(
        'the new migration was not applied',
        async () => {
          const [row] = await sql`select to_regclass('reload_probe') as probe`;
          if (!row?.probe) throw new Error('no table yet');
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
    } finally {
      await sql.end();
    }
  });
});
