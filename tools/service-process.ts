// A Node.js server as a process of its own, on a free port, waited for until GET /
// answers 200: the service the way production runs it (src/process/server.ts, with
// POSTGRES_HOST) for the tests, the production build and the layers for the
// benchmark. Its output goes to a log file whose tail is shown when it fails to
// come up ("harder to debug, gotta look at the logs"), or to this process's own.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ConnectionSettings } from '../src/db/pool.js';
import { freePort } from './free-port.js';
import { type Timing, waitForHttp200 } from './wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The production entry against the given database. */
export function startServiceProcess(
  database: ConnectionSettings,
  logFile: string,
  wait: Timing,
  extraEnv: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startProcess(['--import', 'tsx', 'src/process/server.ts'], logFile, wait, {
    env: { ...databaseEnv(database), ...extraEnv },
  });
}

/** The service's POSTGRES_* variables for a database. */
export function databaseEnv(
  database: Pick<ConnectionSettings, 'host' | 'port' | 'user' | 'password' | 'database'>,
): Record<string, string> {
  return {
    POSTGRES_HOST: database.host,
    POSTGRES_PORT: String(database.port),
    POSTGRES_USER: database.user,
    POSTGRES_PASSWORD: database.password,
    POSTGRES_DB: database.database,
  };
}

/**
 * Runs node with `nodeArgs` (in the checkout unless `cwd`) on a free API port and
 * waits for GET / = 200. Its output is appended to `logFile`, or with `null` shares
 * this process's.
 */
export async function startProcess(
  nodeArgs: string[],
  logFile: string | null,
  wait: Timing,
  { cwd = ROOT, env }: { cwd?: string; env: Record<string, string | undefined> },
): Promise<ServiceProcess> {
  const port = Number(env.API_PORT ?? (await freePort()));
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // A token in the developer's shell stays out of services whose tests don't send it.
      API_TOKEN: '',
      // npm run test:coverage: the service's own V8 coverage, merged into the report (scripts/coverage.ts).
      ...(process.env.SERVICE_V8_COVERAGE_DIR ? { NODE_V8_COVERAGE: process.env.SERVICE_V8_COVERAGE_DIR } : {}),
      ...env,
      API_PORT: String(port),
    },
    stdio: ['ignore', logFile ? 'pipe' : 'inherit', logFile ? 'pipe' : 'inherit'],
  });
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  // Never outlives the process that started it, even one that exits on a signal
  // without its teardown (Vitest on Ctrl-C).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit').then(([code]) => {
    process.off('exit', killOnExit);
    return code as number | null;
  });

  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForHttp200(`${url}/`, wait),
      exited.then((code) => {
        throw new Error(`the service exited with code ${code} before answering`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    if (!logFile) throw error;
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${tail}`);
  }
  return {
    url,
    port,
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
