// Ctrl-C (SIGINT to the terminal's process group) or SIGTERM to `npm test` and to
// its watch mode: the run's PostgreSQL and service stop and its directory goes
// before it exits; nothing is left listening or on disk. Each run gets a TMPDIR of
// its own, so that what it leaves is told apart from other runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/system/process-running.js';
import { waitFor } from '../../tools/wait.js';
import { ROOT } from '../support/make.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Processes whose command line names `text` (the run's PostgreSQL names its data directory). */
async function processesNaming(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && (await isRunning(Number(entry)))) pids.push(Number(entry));
  }
  return pids;
}

/** `npm run <script>` in a process group of its own, its temporary files under a TMPDIR of its own. */
async function startRun(script: string): Promise<{ child: ChildProcess; tmp: string }> {
  const tmp = await mkdtemp(join(tmpdir(), 'notes-interrupt-'));
  await chmod(tmp, 0o755); // the embedded PostgreSQL may run as the postgres user
  dirs.push(tmp);
  const child = spawn('npm', ['run', '-s', script], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TMPDIR: tmp, POSTGRES_HOST: '', APP_URL: '', CI: '' },
  });
  // Interrupted once its PostgreSQL runs and its service has started: the worst moment to leave.
  await waitFor(
    `npm run ${script} did not start its PostgreSQL and service`,
    async () => {
      const [run] = (await readdir(tmp)).filter((name) => name.startsWith('notes-service-test-'));
      if (!run) throw new Error('no run directory yet');
      const files = await readdir(join(tmp, run));
      if (!files.includes('service.log') || (await processesNaming(join(tmp, run))).length === 0) {
        throw new Error('not up yet');
      }
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return { child, tmp };
}

describe.each([
  ['npm test', 'test', 'SIGINT to its process group (Ctrl-C)'],
  ['npm test', 'test', 'SIGTERM to npm'],
  ['the watch mode', 'test:watch', 'SIGINT to its process group (Ctrl-C)'],
])('%s, interrupted', (_name, script, how) => {
  it(`by ${how} stops its PostgreSQL and service and removes its directory`, async () => {
    const { child, tmp } = await startRun(script);
    const exited = once(child, 'exit');
    if (how.startsWith('SIGINT')) process.kill(-(child.pid as number), 'SIGINT');
    else child.kill('SIGTERM');
    await Promise.race([
      exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error('did not exit within 20 s')), 20_000)),
    ]);

    // No process left in its group (npm may exit a moment before the run it started), none on its data.
    await waitFor(
      'processes of the run outlived it',
      async () => {
        try {
          process.kill(-(child.pid as number), 0);
        } catch {
          return;
        }
        throw new Error('its process group still has members');
      },
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(await processesNaming(tmp)).toEqual([]);
    // No run directory and no file of ours (tsx's and Node's compile caches are theirs).
    expect((await readdir(tmp)).filter((name) => name.includes('notes-service'))).toEqual([]);
  }, 60_000);
});
