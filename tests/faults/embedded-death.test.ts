// npm start's own PostgreSQL killed under it (kill -9, as the OOM killer does):
// the development stack notices within EMBEDDED_POSTGRES_WATCH_INTERVAL_MS,
// starts it again on the same data, and serves again with every note kept; Ctrl-C
// afterwards stops everything at once.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLiveServer } from '../../src/dev/embedded-files.js';
import { freePort } from '../../tools/free-port.js';
import { type ServiceProcess, startProcess } from '../../tools/service-process.js';
import { waitFor, waitForHttp200 } from '../../tools/wait.js';
import { postNote } from '../support/fault-stack.js';
import { readTestSettings } from '../support/settings.js';

let dir = '';
let service: ServiceProcess | undefined;
afterAll(async () => {
  await service?.stop('SIGKILL');
  const server = dir && (await readLiveServer(join(dir, 'pg')));
  if (server) process.kill(server.pid, 'SIGKILL');
  if (dir && !process.env.KEEP) await rm(dir, { recursive: true, force: true });
});

describe('npm start when its PostgreSQL dies', () => {
  it('restarts it on the same data, serves again, and still stops cleanly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'notes-embedded-death-'));
    await chmod(dir, 0o755); // reachable by the postgres OS user when we run as root
    const dataDir = join(dir, 'pg');
    service = await startProcess(
      ['--import', 'tsx', 'src/dev/start.ts'],
      join(dir, 'dev.log'),
      readTestSettings().appWait,
      {
        env: {
          POSTGRES_HOST: undefined,
          POSTGRES_PORT: String(await freePort()),
          EMBEDDED_POSTGRES_DATA_DIR: dataDir,
          EMBEDDED_POSTGRES_WATCH_INTERVAL_MS: '200',
          LOG_LEVEL: 'info',
        },
      },
    );
    const contents = `kept across the crash ${randomUUID()}`;
    const { id } = (await (await postNote(service.url, contents)).json()) as { id: number };
    const before = await readLiveServer(dataDir);
    if (!before) throw new Error(`no PostgreSQL runs in ${dataDir}`);

    process.kill(before.pid, 'SIGKILL');
    await waitFor(
      'the database was not noticed dead',
      async () => {
        if ((await fetch(`${service?.url}/`)).status !== 503) throw new Error('still up');
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    ).catch(() => {}); // it may be back before a probe sees it down
    await waitForHttp200(`${service.url}/`, { timeoutMs: 20_000, intervalMs: 100 });

    const after = await readLiveServer(dataDir);
    expect(after?.pid).not.toBe(before.pid);
    const note = await fetch(`${service.url}/notes/${id}/`);
    expect(note.status).toBe(200);
    expect(((await note.json()) as { contents: string }).contents).toBe(contents);
    expect((await postNote(service.url, 'after the restart')).status).toBe(201);
    expect(await readFile(join(dir, 'dev.log'), 'utf8')).toMatch(/exited unexpectedly: restarting it/);

    const stopping = Date.now();
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(await readLiveServer(dataDir)).toBeUndefined();
  });
});
