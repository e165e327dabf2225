// npm test shares the machine: it passes while npm start serves on the default
// ports (8080 and 5432), and two runs at once in one checkout both pass. No test
// of it may take a default port or depend on what else runs.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortInUse } from '../../src/system/port-in-use.js';
import { type ServiceProcess, startProcess } from '../../tools/service-process.js';
import { ROOT } from '../support/make.js';
import { readTestSettings } from '../support/settings.js';

const settings = readTestSettings();
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** `npm test` as a developer types it: none of this run's Vitest, URL, database or token. */
const npmTest = () =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('VITEST') && !['APP_URL', 'POSTGRES_HOST', 'API_TOKEN', 'STACK_ID'].includes(name),
      ),
    );
    execFile(
      'sh',
      ['-c', 'npm test 2>&1'],
      { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout }),
    );
  });

describe.skipIf(settings.appUrl)('npm test on a shared machine', () => {
  it('passes twice at once while npm start serves on 8080 and 5432', async () => {
    // npm start on the defaults, unless something holds them already (a developer's
    // npm start, say), which is the same case.
    let service: ServiceProcess | undefined;
    const taken = await Promise.all([isPortInUse('127.0.0.1', 8080), isPortInUse('127.0.0.1', 5432)]);
    if (taken.some(Boolean)) {
      console.log(`8080 or 5432 is taken already (${taken}): testing beside what holds it`);
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'notes-shared-'));
      await chmod(dir, 0o755); // reachable by the postgres OS user when we run as root
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      service = await startProcess(['--import', 'tsx', 'src/dev/start.ts'], join(dir, 'start.log'), settings.appWait, {
        env: {
          API_PORT: '8080',
          POSTGRES_PORT: '5432',
          POSTGRES_HOST: undefined,
          EMBEDDED_POSTGRES_DATA_DIR: join(dir, 'pg'),
        },
      });
      cleanups.push(() => (service as ServiceProcess).stop('SIGTERM'));
    }

    const runs = await Promise.all([npmTest(), npmTest()]);
    for (const run of runs) {
      expect(run.code, run.output.slice(-3_000)).toBe(0);
      expect(run.output).toMatch(/Tests {2}\d+ passed \(\d+\)/);
    }
    if (service) expect((await fetch(`${service.url}/`)).status).toBe(200); // still serving, untouched
  }, 300_000);
});
