// make test_reloading (npm run test:watch) from a copy of the working tree: a
// save under src/ reruns the files that import it and the external tier, against
// the service running the saved code (the app swapped in, or a new service for
// code outside it; the failing starts only when they load the saved module); a save of a test file reruns that file
// alone; a migration saved is applied before the rerun. Each rerun's time from the
// save is printed: docs/testing.md quotes them.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing } from '../../src/dev/create-database.js';
import { databaseEnv } from '../../tools/service-process.js';
import { waitFor } from '../../tools/wait.js';
import { testDatabase } from '../support/provided.js';
import { useWorkingCopy } from '../support/working-copy.js';

const copy = useWorkingCopy('test-watch');
// The watched run's database: one of its own on the workflow tier's server, so this test can look into it.
const database = { ...testDatabase(), database: `notes_watch_${randomUUID().replaceAll('-', '')}` };
// A rerun is allowed far longer than it takes (1-2 s on two cores): the point is that it comes.
const RERUN_WAIT = { timeoutMs: 60_000, intervalMs: 20 };
let watcher: ChildProcess;
let output = '';

/** The output after `mark`, once Vitest says it waits again after a run. */
async function nextRun(mark: number): Promise<string> {
  return waitFor(
    'the rerun did not come',
    async () => {
      const run = output.slice(mark);
      if (!/(Waiting|Watching) for file changes/.test(run) || !/Test Files /.test(run))
        throw new Error(run.slice(-300));
      return run;
    },
    RERUN_WAIT,
  );
}

/** Saves `path` with `edit` applied and returns the rerun's output and how long it took from the save. */
async function save(path: string, edit: (text: string) => string): Promise<{ run: string; ms: number }> {
  const text = await readFile(join(copy.dir, path), 'utf8');
  const mark = output.length;
  const saved = performance.now();
  await copy.write(path, edit(text));
  const run = await nextRun(mark);
  const ms = Math.round(performance.now() - saved);
  console.log(`test:watch: ${path} saved → results in ${ms} ms`);
  return { run, ms };
}

/** The watcher's children whose command line holds `pattern`, by pid. */
function children(pattern: string): string[] {
  try {
    const pids = execFileSync('pgrep', ['-P', String(watcher.pid), '-f', pattern], { encoding: 'utf8' });
    return pids.trim().split('\n').sort();
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // pgrep found none
    throw new Error(`pgrep failed (it comes with procps): ${(error as Error).message}`);
  }
}
/** The watcher's test workers (Vitest's forks: the children that load its suppress-warnings.cjs). */
const workers = () => children('suppress-warnings');
/** The external tier's service processes (tests/support/swappable-service.ts, bundled). */
const services = () => children('swappable-service-');

/** Resolves once one service runs and none of `before` does: a new one took over, and the old ones stopped. */
const replaced = (before: string[]) =>
  waitFor(
    'the service was not replaced',
    async () => {
      const now = services();
      if (now.length !== 1 || before.includes(now[0] ?? '')) throw new Error(`services ${now}, before ${before}`);
    },
    { timeoutMs: 20_000, intervalMs: 20 },
  );

const ranFiles = (run: string) =>
  [...run.matchAll(/^ [✓❯×] +(?:\|tiers\| +)?(tests\/\S+\.test\.ts)/gm)].map((m) => m[1]);

beforeAll(async () => {
  await copy.create();
  await createDatabaseIfMissing(database);
  watcher = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', '--watch', '--maxWorkers=3', '--project', 'tiers'],
    {
      cwd: copy.dir,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
        ...databaseEnv(database),
        NO_COLOR: '1',
        CI: '', // watch mode stays on
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  watcher.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  watcher.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const first = await nextRun(0);
  expect(first).toMatch(/Test Files {2}\d+ passed/);
}, 120_000);

afterAll(async () => {
  if (watcher && watcher.exitCode === null) {
    watcher.kill('SIGTERM');
    await new Promise((resolve) => watcher.once('exit', resolve));
  }
  const admin = postgres({ ...testDatabase(), database: 'postgres', max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${database.database}" with (force)`);
  await admin.end();
});

describe('npm run test:watch', () => {
  it('reruns what imports a saved source, and the external tier against the saved code, in the last run’s workers', async () => {
    const kept = workers();
    expect(kept).toHaveLength(3); // --maxWorkers=3, kept from the first run (patches/README.md)
    const service = services();
    expect(service).toHaveLength(1);
    const reworded = await save('src/notes/routes.ts', (text) => text.replace('does not exist`', 'is not there`'));
    // Workers that have run the old code run the new (tests/support/fresh-modules.ts).
    expect(workers()).toEqual(kept);
    // So does the service: the saved app was swapped into it (tests/support/rerun-preparation.ts).
    expect(services()).toEqual(service);
    // The unit test of the route and the external one, against the service with the app swapped in, see the new words.
    expect(reworded.run).toMatch(/FAIL .*tests\/unit\/notes\/read\.test\.ts > GET \/notes\/:id\/ > answers 404/);
    expect(reworded.run).toMatch(
      /FAIL .*tests\/external\/notes-api\.test\.ts > .*answers 404 not_found for a note that does not exist/,
    );
    // Files that reach the routes through their imports reran; one that does not, did not.
    expect(ranFiles(reworded.run)).toEqual(
      expect.arrayContaining([
        'tests/unit/notes/read.test.ts',
        'tests/unit/notes/create.test.ts',
        'tests/unit/config.test.ts',
      ]),
    );
    expect(ranFiles(reworded.run)).not.toContain('tests/unit/db/wait.test.ts');
    // The starts that fail before the app loads can't run a route: they wait for a save they load.
    expect(ranFiles(reworded.run)).not.toContain('tests/external/startup-failures.test.ts');

    const restored = await save('src/notes/routes.ts', (text) => text.replace('is not there`', 'does not exist`'));
    expect(restored.run).toMatch(/Test Files {2}\d+ passed/);
    expect(restored.run).not.toMatch(/FAIL/);
  });

  it('reruns green after a save of a module the tests also import beside the app', async () => {
    // create.test.ts checks the route's 507 with repository.ts's own error class: a worker that
    // evaluated the saved module again for each file would hold two classes, and answer 500.
    const { run } = await save('src/notes/repository.ts', (text) => `${text}\n// saved by test-watch\n`);
    expect(ranFiles(run)).toContain('tests/unit/notes/create.test.ts');
    expect(run).not.toMatch(/FAIL/);
    expect(run).toMatch(/Test Files {2}\d+ passed/);
  });

  it('fails the external tier with the cause when a save doesn’t build, instead of testing the old service', async () => {
    const broken = await save('src/notes/routes.ts', (text) => `${text}\nexport const broken = ;\n`);
    expect(broken.run).toMatch(/after the save of src\/notes\/routes\.ts: building the service failed: /);
    expect(broken.run).toMatch(/FAIL .*tests\/external\/notes-api\.test\.ts/);
    expect(broken.run).toMatch(
      /the test setup failed, so this file can't run: after the save of src\/notes\/routes\.ts: building the service failed/,
    );
    const fixed = await save('src/notes/routes.ts', (text) => text.replace('\nexport const broken = ;\n', ''));
    expect(fixed.run).not.toMatch(/FAIL/);
    expect(fixed.run).toMatch(/Test Files {2}\d+ passed/);
  });

  it('fails the external tier with the cause when the saved app fails in the service, until a save starts a new one', async () => {
    const before = services();
    const refusal = "\nif (process.env.API_PORT) throw new Error('routes refuse this process');\n"; // the service's, not a worker's
    const refused = await save('src/notes/routes.ts', (text) => `${text}${refusal}`);
    expect(refused.run).toMatch(
      /after the save of src\/notes\/routes\.ts: swapping the saved app in failed: reload failed, still serving the previous version: routes refuse this process/,
    );
    expect(refused.run).toMatch(/FAIL .*tests\/external\/notes-api\.test\.ts/);
    // A rerun with no save keeps saying it: the service still holds the app of before.
    const again = await save('tests/external/categories-and-deletes.test.ts', (text) => `${text}\n`);
    // (Vitest reruns the files that failed with it.)
    expect(ranFiles(again.run)).toContain('tests/external/categories-and-deletes.test.ts');
    expect(again.run).toMatch(/FAIL .*tests\/external\/categories-and-deletes\.test\.ts/);
    expect(again.run).toMatch(/the test setup failed, so this file can't run: .*routes refuse this process/);
    // The fix is a save of the app's code only, but what the service holds is unknown: a new service takes it.
    const fixed = await save('src/notes/routes.ts', (text) => text.replace(refusal, ''));
    expect(fixed.run).not.toMatch(/FAIL/);
    expect(fixed.run).toMatch(/Test Files {2}\d+ passed/);
    await replaced(before);
  });

  it('reruns the failing starts, against a new service, for a save of a module their entries load before the app', async () => {
    const before = services();
    // src/process/service.ts checks the port with it before anything else.
    const { run } = await save('src/system/port-in-use.ts', (text) => `${text}\n// saved by test-watch\n`);
    expect(ranFiles(run)).toEqual(
      expect.arrayContaining(['tests/external/startup-failures.test.ts', 'tests/external/notes-api.test.ts']),
    );
    expect(run).not.toMatch(/FAIL/);
    expect(run).toMatch(/Test Files {2}\d+ passed/);
    // Code outside the app can't be swapped in: a new service ran the rerun, and the old one stops.
    await replaced(before);
  });

  it('reruns a saved test file alone', async () => {
    const { run } = await save('tests/unit/config.test.ts', (text) => `${text}\n`);
    expect(ranFiles(run)).toEqual(['tests/unit/config.test.ts']);
    expect(run).toMatch(/Test Files {2}1 passed \(1\)/);
  });

  it('starts fresh workers once the packages were installed again', async () => {
    // npm sets this file's time on every install (the copy's own: its packages are links to the checkout's).
    const before = workers();
    await utimes(join(copy.dir, 'node_modules', '.package-lock.json'), new Date(), new Date());
    const { run } = await save('tests/unit/config.test.ts', (text) => `${text}\n`);
    expect(run).toMatch(/Test Files {2}1 passed \(1\)/);
    // The old ones are stopped as the rerun begins: each exits within Vitest's teardownTimeout (10 s).
    const after = await waitFor(
      'the workers that had loaded the packages before went on',
      async () => {
        const now = workers();
        if (now.some((pid) => before.includes(pid)))
          throw new Error(`workers ${now}, of which ${before} were there before`);
        return now;
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(after).toHaveLength(1); // the rerun's one file, in a new worker
  });

  it('applies a migration saved while it watches before the rerun', async () => {
    const mark = output.length;
    await copy.write('migrations/900.do.watch-probe.sql', 'create table watch_probe (id int);\n');
    const run = await nextRun(mark);
    expect(run).not.toMatch(/: (migrating|building|starting) .* failed: /);
    // Everything reran (a migration concerns every tier), on the migrated database.
    expect(ranFiles(run)).toEqual(
      expect.arrayContaining(['tests/unit/config.test.ts', 'tests/external/notes-api.test.ts']),
    );
    const sql = postgres({ ...database, max: 1 });
    try {
      expect(await sql`select max(version)::int as version from schemaversion`).toEqual([{ version: 900 }]);
    } finally {
      await sql.end();
    }
  });
});
