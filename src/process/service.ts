// One running service, the same in production and in development: pool → wait
// for the database → migrations → app → listen. close() drains first
// (SHUTDOWN_DRAIN_MS: readiness 503, everything else served), then stops HTTP,
// letting in-flight requests finish within SHUTDOWN_GRACE_MS, then the pool. Given a reloader (npm run dev; the
// test suite's watch mode), every save rebuilds the app from the sources and swaps it in on the same port, while
// the pool and the database stay up.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ConfigError } from '../config-reader.js';
import { applyMigrations, openMigratedPool } from '../db/open.js';
import type { ConnectionSettings } from '../db/pool.js';
import type { App } from '../http/app-instance.js';
import { isPortInUse } from '../system/port-in-use.js';
import type { assembleApp } from './assemble.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * What npm run dev adds (src/dev/reload.ts), and the test suite's watch mode
 * (tests/support/swappable-service.ts): the saves, and assembleApp built afresh from them.
 */
export interface Reloader {
  /**
   * Calls `onChange` after each save, one call at a time, and `onError` with what
   * a call threw, going on with the next save; close() waits for the one under way.
   */
  watch(onChange: () => Promise<void>, onError: (error: unknown) => void): Promise<{ close(): Promise<void> }>;
  freshAssembler(): Promise<typeof assembleApp>;
}

export async function startService(
  config: Config,
  database: ConnectionSettings,
  logger: Logger,
  reloader?: Reloader,
): Promise<RunningService> {
  const log = (line: string) => logger.info(line);
  // A taken port or a HOST that can't be listened on, said now, not after the wait
  // for the database (port 0 is never taken, but still tries the address).
  if (
    await isPortInUse(config.host, config.apiPort).catch((error) =>
      throwListenError(error, config.host, config.apiPort),
    )
  )
    throw portTaken(config.host, config.apiPort);
  // The app's modules (Fastify and the rest, a fifth of a second of CPU) load once
  // the database answers, not before: a start that fails on a setting, a taken port
  // or a database that never answers fails without them (and a test that checks
  // one of those runs only the code before them: vitest.config.ts); and before any
  // migration: code that doesn't load migrates nothing.
  let assemble!: typeof assembleApp; // set by the time openMigratedPool returns
  const sql = await openMigratedPool(database, log, async () => {
    assemble = (await import('./assemble.js')).assembleApp;
  });
  let draining = false;
  const isDraining = () => draining;
  try {
    let app = assemble(config, sql, logger, isDraining);
    const url = await listen(app, config.host, config.apiPort);
    const port = Number(new URL(url).port); // API_PORT=0 picked one: reloads keep it

    // A save that doesn't build, or a migration that fails, keeps the running app.
    // A failure is thrown in the line that says it: the reloader's onError logs it
    // (and may tell whoever asked for the reload).
    const reload = async (rebuild: () => Promise<typeof assembleApp>) => {
      const started = performance.now();
      let next: App;
      try {
        await applyMigrations(sql, database, log); // the save may have added one
        next = (await rebuild())(config, sql, logger, isDraining);
        await next.ready();
      } catch (error) {
        throw new Error(`reload failed, still serving the previous version: ${(error as Error).message}`);
      }
      try {
        await closeApp(app, config.shutdownGraceMs);
        app = next;
        await listen(app, config.host, port);
      } catch (error) {
        // The previous version is closed already: say so, and let the next save try again.
        throw new Error(`reload failed, nothing serves until the next save: ${(error as Error).message}`);
      }
      log(`reloaded in ${Math.round(performance.now() - started)} ms`);
    };
    const watching = await reloader?.watch(
      () => reload(reloader.freshAssembler),
      (error) => logger.error((error as Error).message),
    );
    log(`notes-service listening on ${url}${reloader ? ', reloading on changes to src/ and migrations/' : ''}`);
    return {
      url,
      async close() {
        if (config.shutdownDrainMs > 0) {
          draining = true;
          log(`draining for ${config.shutdownDrainMs} ms: readiness answers 503, requests are still served`);
          await sleep(config.shutdownDrainMs);
        }
        await watching?.close();
        await closeApp(app, config.shutdownGraceMs);
        log('HTTP server closed');
        await sql.end({ timeout: config.shutdownGraceMs / 1000 });
        log('database pool closed');
      },
    };
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

/**
 * app.listen, saying a taken or forbidden port in one line that names the setting,
 * and without Fastify's own "Server listening at" (one line per address: several
 * for 0.0.0.0), since the service says where it listens itself.
 */
async function listen(app: App, host: string, port: number): Promise<string> {
  const level = app.log.level;
  app.log.level = 'warn';
  try {
    return await app.listen({ host, port });
  } catch (error) {
    throwListenError(error, host, port);
  } finally {
    app.log.level = level;
  }
}

/** A failed listen in one line naming the setting to change, where one is to blame. */
function throwListenError(error: unknown, host: string, port: number): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') throw portTaken(host, port);
  if (code === 'EACCES') throw new ConfigError(`API_PORT ${port} needs privileges on ${host}: use a port above 1023`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    throw new ConfigError(
      `HOST ${host} does not resolve: set HOST to an address of this machine (0.0.0.0: all of them)`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    throw new ConfigError(`HOST ${host} is not an address of this machine: set HOST to one (0.0.0.0: all of them)`);
  }
  throw error;
}

const portTaken = (host: string, port: number) =>
  new ConfigError(`API_PORT ${port} is taken on ${host}: set API_PORT to a free one (scripts/free-port prints one)`);

/** Lets in-flight requests finish; past the grace period, cuts the rest. */
export async function closeApp(app: App, graceMs: number): Promise<void> {
  const grace = setTimeout(() => app.server.closeAllConnections(), graceMs);
  await app.close();
  clearTimeout(grace);
}
