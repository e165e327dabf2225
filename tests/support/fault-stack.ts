// A database and a service of a fault test's own, so that the test can stop,
// freeze, kill and restart them: the embedded PostgreSQL on a fixed free port
// (it comes back where the service expects it) and src/process/server.ts as a process.
import { chmodSync, mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPool } from '../../src/db/pool.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/dev/embedded.js';
import { freePort } from '../../tools/free-port.js';
import { type ServiceProcess, startServiceProcess } from '../../tools/service-process.js';
import { waitFor } from '../../tools/wait.js';
import { readTestSettings } from './settings.js';

export interface FaultStack {
  dir: string;
  databasePort(): Promise<number>;
  /** Runs `work` on a one-connection pool of the stack's database, closed afterwards. */
  withDatabase<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  service(): ServiceProcess;
  startService(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  startDatabase(): Promise<void>;
  stopDatabase(): Promise<void>;
  /** SIGKILL to the postmaster and every backend: the server dies as in a crash. */
  killDatabase(): Promise<void>;
  /** SIGSTOP / SIGCONT to the whole server: it keeps its sockets but answers nothing. */
  freezeDatabase(frozen: boolean): Promise<void>;
}

/**
 * Call at the top of a test file: it registers the afterAll that kills what the
 * file started (a hook registered inside beforeAll would never run).
 */
export function useFaultStack(serviceEnv: Record<string, string> = {}): FaultStack {
  const dir = mkdtempSync(join(tmpdir(), 'notes-faults-'));
  chmodSync(dir, 0o755); // reachable by the postgres OS user when we run as root
  const config = loadConfig({});
  const ports = Promise.all([freePort(), freePort()]);
  const dataDir = join(dir, 'postgres');
  let database: EmbeddedPostgres | undefined;
  let service: ServiceProcess | undefined;

  // The postmaster and its children: each backend is its own process group
  // (PostgreSQL calls setsid), so a signal to the postmaster's group misses them.
  const postgresProcesses = async () => {
    const postmaster = Number.parseInt(await readFile(join(dataDir, 'postmaster.pid'), 'utf8'), 10);
    const children: number[] = [];
    for (const entry of await readdir('/proc')) {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) children.push(Number(entry));
    }
    return [postmaster, ...children];
  };
  const signalPostgres = async (signal: NodeJS.Signals) => {
    for (const pid of await postgresProcesses()) process.kill(pid, signal);
  };

  const stack: FaultStack = {
    dir,
    databasePort: () => ports.then(([pgPort]) => pgPort),
    async withDatabase(work) {
      const [pgPort] = await ports;
      const sql = openPool({ ...config.postgres, host: '127.0.0.1', port: pgPort, poolSize: 1 });
      try {
        return await work(sql);
      } finally {
        await sql.end();
      }
    },
    service: () => {
      if (!service) throw new Error('no service started');
      return service;
    },
    async startDatabase() {
      const [pgPort] = await ports;
      database = await startEmbeddedPostgres({
        ...config.postgres,
        port: pgPort,
        dataDir,
        startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
        log: () => {},
      });
    },
    async stopDatabase() {
      await database?.stop();
    },
    async killDatabase() {
      await signalPostgres('SIGKILL');
    },
    async freezeDatabase(frozen) {
      await signalPostgres(frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    async startService(extraEnv = {}) {
      const [pgPort, apiPort] = await ports;
      service = await startServiceProcess(
        { ...config.postgres, host: '127.0.0.1', port: pgPort },
        join(dir, 'service.log'),
        readTestSettings().appWait,
        { API_PORT: String(apiPort), ...serviceEnv, ...extraEnv },
      );
      return service;
    },
  };

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await stack.freezeDatabase(false).catch(() => {});
    await database?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return stack;
}

export const postNote = (url: string, contents: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/notes/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ contents }),
    signal: AbortSignal.timeout(10_000),
  });

/** Resolves once a create succeeds, retrying every 50 ms for up to `timeoutMs`. */
export function createSucceedsWithin(url: string, timeoutMs: number, contents = 'recovered'): Promise<void> {
  return waitFor(
    'the service did not recover',
    async () => {
      const response = await postNote(url, contents);
      if (response.status !== 201) throw new Error(`status ${response.status}`);
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** Resolves once `count()` reaches `least`: the state a fault test breaks things in, polled instead of slept for. */
export function untilAtLeast(what: string, count: () => number, least: number, timeoutMs = 30_000): Promise<void> {
  return waitFor(
    what,
    async () => {
      if (count() < least) throw new Error(`${count()} so far`);
    },
    { timeoutMs, intervalMs: 10 },
  );
}

/** `writers` loops creating notes until stop(); the ids that got a 201, and how many requests failed. */
export function writeLoad(url: string, writers: number) {
  const acknowledged: number[] = [];
  let failures = 0;
  let running = true;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    for (let i = 0; running; i++) {
      try {
        const response = await postNote(url, `load ${writer}/${i}`);
        if (response.status === 201) acknowledged.push(((await response.json()) as { id: number }).id);
        else failures++;
      } catch {
        failures++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    acknowledged,
    failures: () => failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
