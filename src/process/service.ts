// One running service, the same in production and in development: pool → wait
// for the database → migrations → app → listen. close() drains first
// (SHUTDOWN_DRAIN_MS: readiness 503, everything else served), then stops HTTP,
// letting in-flight requests finish within SHUTDOWN_GRACE_MS, then the pool. Given a reloader (npm run dev), every save rebuilds the app from the
// sources and swaps it in on the same port, while the pool and the database stay up.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { applyMigrations, openMigratedPool } from '../db/open.js';
import type { ConnectionSettings } from '../db/pool.js';
import type { App } from '../http/app-instance.js';
import { assembleApp } from './assemble.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/** What npm run dev adds (reload.ts): a watch on the sources, and assembleApp built afresh from them. */
export interface Reloader {
  /** Calls `onChange` after each save, one call at a time; close() waits for the one under way. */
  watch(onChange: () => Promise<void>): Promise<{ close(): Promise<void> }>;
  freshAssembler(): Promise<typeof assembleApp>;
}

export async function startService(
  config: Config,
  database: ConnectionSettings,
  logger: Logger,
  reloader?: Reloader,
): Promise<RunningService> {
  const log = (line: string) => logger.info(line);
  const sql = await openMigratedPool(database, log);
  let draining = false;
  const isDraining = () => draining;
  try {
    let app = assembleApp(config, sql, logger, isDraining);
    const url = await app.listen({ host: config.host, port: config.apiPort });
    const port = Number(new URL(url).port); // API_PORT=0 picked one: reloads keep it

    // A save that doesn't build, or a migration that fails, keeps the running app.
    const reload = async (rebuild: () => Promise<typeof assembleApp>) => {
      const started = performance.now();
      let next: App;
      try {
        await applyMigrations(sql, database.database, log); // the save may have added one
        next = (await rebuild())(config, sql, logger, isDraining);
        await next.ready();
      } catch (error) {
        logger.error(`reload failed, still serving the previous version: ${(error as Error).message}`);
        return;
      }
      await closeApp(app, config.shutdownGraceMs);
      app = next;
      await app.listen({ host: config.host, port });
      log(`reloaded in ${Math.round(performance.now() - started)} ms`);
    };
    const watching = await reloader?.watch(() => reload(reloader.freshAssembler));
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
        await sql.end({ timeout: config.shutdownGraceMs / 1000 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

/** Lets in-flight requests finish; past the grace period, cuts the rest. */
export async function closeApp(app: App, graceMs: number): Promise<void> {
  const grace = setTimeout(() => app.server.closeAllConnections(), graceMs);
  await app.close();
  clearTimeout(grace);
}
