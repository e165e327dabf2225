// Once per test run: the database for the integrated and external tiers (POSTGRES_HOST
// if set, else a throw-away embedded PostgreSQL on a free port), migrated; and for
// the external tier the service as a separate process on a free port, unless
// APP_URL points at one already running. Everything is torn down at the end; test
// data is never wiped, so the suite also passes on a database full of other notes.
// For the container tier: whether a Docker engine answers; for the scaled tier:
// the production build its instances run.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { openMigratedPool } from '../../src/db/open.js';
import type { ConnectionSettings } from '../../src/db/pool.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded.js';
import { readLiveServer, readOwner } from '../../src/dev/embedded-files.js';
import { isRunning } from '../../src/system/process-running.js';
import { freePort } from '../../tools/free-port.js';
import { type ServiceProcess, startServiceProcess } from '../../tools/service-process.js';
import { type Timing, waitFor, waitForHttp200 } from '../../tools/wait.js';
import { writeAtomically } from '../../tools/write-atomically.js';
import { engineUnavailable, reapAbandonedProjects } from './docker.js';
import { serveKeptWorkers } from './kept-workers.js';
import { ROOT } from './make.js';
import type { Ready, ReadyFiles } from './provided.js';
import { prepareEachRerun } from './rerun-preparation.js';
import { claimRunDir, RUN_DIR_PREFIX, RUN_ROOT } from './run-dir.js';
import { readTestSettings } from './settings.js';

type Teardown = () => Promise<void>;

const run = promisify(execFile);

export default async function setup(project: TestProject): Promise<Teardown> {
  await reapAbandonedRuns();
  const tiers = tiersOf(project.vitest.projects);
  const settings = readTestSettings();
  const needsService = tiers.has('external') && !settings.appUrl;
  // The service the suite starts itself is protected like a deployment, with API_TOKEN
  // or a token of this run's: the external tier sends it and checks the 401s.
  const apiToken = settings.appUrl ? settings.apiToken : (settings.apiToken ?? `test-${randomUUID()}`);
  // Without event-loop shedding: two suites on two cores must not turn a test's
  // request into a 503 overloaded (the fault tier tests shedding, on its own service).
  const serviceEnv: Record<string, string> = {
    SHED_EVENT_LOOP_DELAY_MS: '0',
    // It starts beside its database, and looks for it that often until it answers.
    POSTGRES_WAIT_INTERVAL_MS: '20',
    ...(apiToken ? { API_TOKEN: apiToken } : {}),
  };
  project.provide('apiToken', apiToken ?? null);
  serveKeptWorkers(project);
  const needsDatabase = tiers.has('integrated') || tiers.has('workflow') || needsService;
  const teardowns: Teardown[] = [];
  let starting: Promise<void> = Promise.resolve();
  const teardown = async () => {
    await starting; // a start under way ends (up or failed) before what it started is stopped (startDatabaseAndService never rejects)
    for (const step of teardowns.reverse()) await step();
  };

  try {
    let database: ConnectionSettings | null = null;
    let ready: ReadyFiles = { database: null, service: null };
    if (needsDatabase) {
      const runDir = await claimRunDir();
      teardowns.push(() => rm(runDir, { recursive: true, force: true }));
      const forget = cleanUpOnInterrupt(runDir);
      teardowns.push(async () => forget());
      database = await chooseDatabase();
      // Not waited for here: the files that need neither run meanwhile (./provided.ts).
      ready = {
        database: join(runDir, 'database-ready.json'),
        service: needsService ? join(runDir, 'service-ready.json') : null,
      };
      starting = startDatabaseAndService(
        project,
        database,
        runDir,
        settings.appWait,
        needsService ? serviceEnv : undefined,
        teardowns,
        ready,
      );
    }
    project.provide('database', database);
    project.provide('databaseReady', ready.database);
    project.provide('serviceReady', ready.service);
    if (settings.appUrl && tiers.has('external')) {
      await waitForHttp200(`${settings.appUrl}/`, settings.appWait);
      project.provide('appUrl', settings.appUrl);
    }
    if (tiers.has('containers')) project.provide('dockerEngine', await prepareEngine());
    // The scaled stack's instances run the production build, as they would deployed.
    if (tiers.has('scaled')) await run('npm', ['run', '-s', 'build'], { cwd: ROOT });
  } catch (error) {
    await teardown();
    // Said first: Vitest's own report of a failed setup starts with "No test files found".
    process.stderr.write(`test setup failed, so no test ran: ${(error as Error).message}\n`);
    throw error;
  }
  return teardown;
}

/**
 * The test database (the embedded one, unless POSTGRES_HOST), migrated, and the
 * service when `serviceEnv` is given; what they need at the end goes on
 * `teardowns`. Each ready file is written as soon as what it names is up, or
 * failed: the integrated files don't wait for the service. Never rejects. In
 * watch mode, each rerun gets them as the saves before it left them
 * (./rerun-preparation.ts).
 */
async function startDatabaseAndService(
  project: TestProject,
  target: ConnectionSettings,
  runDir: string,
  appWait: Timing,
  serviceEnv: Record<string, string> | undefined,
  teardowns: Teardown[],
  ready: ReadyFiles,
): Promise<void> {
  // In watch mode, a service whose app a rerun can swap in place (./rerun-preparation.ts).
  const entry = project.vitest.config.watch ? 'swappable' : 'server';
  const startService = serviceEnv
    ? () => startServiceProcess(target, join(runDir, 'service.log'), appWait, serviceEnv, entry)
    : undefined;
  // The service waits for its database like in production, so its start overlaps the database's.
  const starting = startService?.();
  // A database that fails to start is said at once, not once the service has given up on it.
  starting?.catch(() => {}); // its failure is awaited below, or moot
  // A service still waiting for a database that won't come dies with this process
  // (tools/service-process.ts), instead of holding the run's end for its wait.
  const databaseUp = prepareDatabase(target, runDir, teardowns);
  if (
    !(await report(
      ready.database,
      databaseUp.then(() => ({})),
      'its database or service',
    ))
  ) {
    if (ready.service)
      await report(
        ready.service,
        databaseUp.then(() => ({ appUrl: null })),
      );
    return;
  }
  // A service that didn't start (a save that doesn't build, say) is started again by the next rerun in watch mode.
  let service: ServiceProcess | undefined;
  if (
    starting &&
    (await report(
      ready.service,
      starting.then(({ url }) => ({ appUrl: url })),
      'its service',
    ))
  )
    service = await starting;
  teardowns.push(
    prepareEachRerun(project, {
      migrate: () => migrateOnly(target),
      ready,
      service: startService && { first: service, start: startService },
    }),
  );
}

/**
 * Writes what `start` came to into `file` (when there is one), in one rename, for
 * the files waiting on it; a failure is also said at once, in one line, ahead of
 * the failures of the files that needed what failed to start (`needing`, when
 * given). Resolves to whether it came up.
 */
async function report(
  file: string | null,
  start: Promise<Record<string, unknown>>,
  needing?: string,
): Promise<boolean> {
  const started: Ready = await start.then(
    (value) => value,
    (error: Error) => {
      if (needing)
        process.stderr.write(`test setup failed, so no test that needs ${needing} can run: ${error.message}\n`);
      return { error: error.message };
    },
  );
  if (!file) return !('error' in started);
  try {
    await writeAtomically(file, JSON.stringify(started));
  } catch (error) {
    // The run's directory is gone (an interrupt removed it): the files waiting give up on their own.
    process.stderr.write(`test setup could not write ${file}: ${(error as Error).message}\n`);
  }
  return !('error' in started);
}

/** The tiers whose files the selected projects run: tests/<tier>/ in their include patterns. */
function tiersOf(projects: TestProject[]): Set<string> {
  const patterns = projects.flatMap((p) => p.config.include);
  return new Set(patterns.flatMap((pattern) => /^tests\/([\w-]+)\//.exec(pattern)?.[1] ?? []));
}

/**
 * Ctrl-C or SIGTERM to the run: Vitest exits a millisecond after the signal,
 * without the teardown, which would leave this run's PostgreSQL running and its
 * directory behind. So the signal is answered synchronously, before Vitest's own
 * exit can fire: PostgreSQL's immediate shutdown (SIGQUIT), a wait for it to be
 * gone, the directory removed. (The service processes end with this process:
 * tools/service-process.ts.) reapAbandonedRuns stays the fallback after kill -9.
 * Returns how to forget it, for a teardown that ran.
 */
function cleanUpOnInterrupt(runDir: string): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let cleaned = false;
  const interrupted = () => {
    if (cleaned) return;
    cleaned = true;
    stopPostgresNowSync(runDir);
    rmSync(runDir, { recursive: true, force: true });
  };
  // `on`, not `once`: Ctrl-C reaches Vitest twice (from the terminal, and from npm,
  // which passes it on), and a second signal with no listener left would end the
  // process in the middle of this.
  for (const signal of signals) process.on(signal, interrupted);
  return () => {
    for (const signal of signals) process.off(signal, interrupted);
  };
}

/**
 * Every process whose command line names `dir` (the postmaster, and initdb or
 * pg_ctl when the interrupt comes during the start): SIGQUIT, PostgreSQL's
 * immediate shutdown, which takes its backends with it; then up to 5 s of
 * blocking wait for them to be gone.
 */
function stopPostgresNowSync(dir: string): void {
  const naming = () =>
    readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && readFileSafe(`/proc/${entry}/cmdline`).includes(dir));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 5_000; waited += 20) {
    const pids = naming();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGQUIT');
      } catch {}
    }
    Atomics.wait(pause, 0, 0, 20);
  }
}

const readFileSafe = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** The container tier's engine: null when it answers (stacks of killed runs reaped), else why not, said once. */
async function prepareEngine(): Promise<string | null> {
  const unavailable = await engineUnavailable();
  if (unavailable) {
    console.log(`containers tier skipped: no Docker engine answers (${unavailable}); start dockerd, as .ci/run does`);
    return unavailable;
  }
  await reapAbandonedProjects();
  return null;
}

/** POSTGRES_HOST's server, or where the embedded one will listen. */
async function chooseDatabase(): Promise<ConnectionSettings> {
  const { postgres } = loadConfig();
  return postgres.host
    ? { ...postgres, host: postgres.host }
    : { ...postgres, host: '127.0.0.1', port: await freePort() };
}

async function prepareDatabase(settings: ConnectionSettings, runDir: string, teardowns: Teardown[]) {
  const config = loadConfig();
  if (!config.postgres.host) {
    const embedded = await startEmbeddedPostgres({
      ...settings,
      dataDir: join(runDir, 'postgres'),
      startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
      ephemeral: true,
      log: () => {},
    });
    teardowns.push(() => embedded.stop());
  }
  await migrateOnly(settings);
}

async function migrateOnly(settings: ConnectionSettings) {
  const sql = await openMigratedPool({ ...settings, poolSize: 1 }, () => {});
  await sql.end();
}

/**
 * A run killed before its teardown (a signal to Vitest) leaves its PostgreSQL
 * running and its directory behind: stop and remove those whose owning Vitest
 * process is gone. Runs still going (two npm test at once) are left alone.
 */
async function reapAbandonedRuns(): Promise<void> {
  const dirs = (await readdir(RUN_ROOT)).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  for (const name of dirs) {
    const runDir = join(RUN_ROOT, name);
    const owner = await readOwner(runDir);
    if (owner === undefined) {
      // Created a moment ago and not yet claimed by a parallel run, or foreign: leave it unless old.
      const { mtimeMs } = await stat(runDir).catch(() => ({ mtimeMs: Date.now() }));
      if (Date.now() - mtimeMs < 10 * 60_000) continue;
    } else if (await isRunning(owner)) {
      continue;
    }
    const server = await readLiveServer(join(runDir, 'postgres'));
    if (server) {
      process.kill(server.pid, 'SIGQUIT'); // immediate shutdown: the data is thrown away anyway
      await waitFor(
        'abandoned test PostgreSQL to stop',
        async () => {
          if (await isRunning(server.pid)) throw new Error(`pid ${server.pid} still runs`);
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    }
    await rm(runDir, { recursive: true, force: true });
  }
}
