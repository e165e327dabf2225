// A Node.js server as a process of its own, on a free port, waited for until GET /
// answers 200: the service the way production runs it (src/process/server.ts, with
// POSTGRES_HOST) for the tests, the production build and the layers for the
// benchmark. Its output goes to a log file whose tail is shown when it fails to
// come up ("harder to debug, gotta look at the logs"), or to this process's own.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ConnectionSettings } from '../src/db/pool.js';
import { freePort } from './free-port.js';
import { logTail } from './log-tail.js';
import { serviceNodeArgs } from './service-build.js';
import { type Timing, waitForHttp200 } from './wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** What node was given: the entry it runs. */
  nodeArgs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The production entry (or `entry`), freshly bundled from src/ (tools/service-build.ts),
 * against the given database. The swappable one gets an IPC channel.
 */
export async function startServiceProcess(
  database: ConnectionSettings,
  logFile: string,
  wait: Timing,
  extraEnv: Record<string, string> = {},
  entry: 'server' | 'swappable' = 'server',
): Promise<ServiceProcess> {
  return startProcess(await serviceNodeArgs(entry), logFile, wait, {
    env: { ...databaseEnv(database), ...extraEnv },
    ipc: entry === 'swappable',
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
  options: { cwd?: string; env: Record<string, string | undefined>; ipc?: boolean },
): Promise<ServiceProcess> {
  if (options.env.API_PORT !== undefined)
    return startOnPort(Number(options.env.API_PORT), nodeArgs, logFile, wait, options);
  // A port free a moment ago can be taken before the service binds it (another
  // process's outgoing connection gets it, on a busy machine): then another one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOnPort(port, nodeArgs, logFile, wait, options);
    } catch (error) {
      if (attempt === PORT_ATTEMPTS || !String((error as Error).message).includes(`API_PORT ${port} is taken`))
        throw error;
    }
  }
}

const PORT_ATTEMPTS = 3;

async function startOnPort(
  port: number,
  nodeArgs: string[],
  logFile: string | null,
  wait: Timing,
  { cwd = ROOT, env, ipc = false }: { cwd?: string; env: Record<string, string | undefined>; ipc?: boolean },
): Promise<ServiceProcess> {
  const logStart = logFile
    ? await stat(logFile).then(
        ({ size }) => size,
        () => 0,
      )
    : 0;
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
    stdio: ['ignore', logFile ? 'pipe' : 'inherit', logFile ? 'pipe' : 'inherit', ...(ipc ? ['ipc' as const] : [])],
  });
  let logged = Promise.resolve();
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    // Not ended by either stream: the other may still be writing.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    // Everything the process wrote is in the file once its output has closed.
    logged = new Promise((resolve) => child.once('close', () => log.end(resolve)));
  }
  // Never outlives the process that started it, even one that exits on a signal
  // without its teardown (Vitest on Ctrl-C).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // Its exit code; null when it could not be started at all (then no 'exit' comes).
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  }).finally(() => process.off('exit', killOnExit));

  const url = `http://127.0.0.1:${port}`;
  try {
    // Ends as soon as the process does: a wait left running would hold its caller (Vitest's setup) for its whole timeout.
    await waitForHttp200(`${url}/`, wait, {
      hopeless: async () => {
        if (spawnError) return `the service could not be started: ${spawnError.message}`;
        if (child.exitCode === null && child.signalCode === null) return undefined;
        return `the service exited with ${child.signalCode ?? `code ${child.exitCode}`} before answering`;
      },
    });
  } catch (error) {
    child.kill('SIGKILL');
    if (!logFile) throw error;
    // A child of its own may keep the output open: the log is read after a second at most.
    await Promise.race([logged, sleep(1_000)]);
    // This start's lines only: the file may hold an earlier attempt's.
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${await logTail(logFile, logStart)}`);
  }
  return {
    url,
    port,
    child,
    nodeArgs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
