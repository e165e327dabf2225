// npm run dev: the service reloads in-process on every save, in about a tenth of
// a second. The pool and the database stay up; on a change under src/ or
// migrations/, esbuild bundles src/wiring.ts's graph (our code only; packages stay
// shared) into a new file under .data/dev-build, pending migrations are applied,
// and the app from the new bundle is swapped in on the same port. A save that
// doesn't build keeps the old app serving. This works because no module of ours
// keeps state: everything is built by factories. Each reload leaves its modules in
// memory; restart npm run dev after a few thousand saves.
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Logger } from 'pino';
import type { App } from './app.js';
import type { Config } from './config.js';
import { applyMigrations, openMigratedPool } from './db/open.js';
import { closeApp } from './service.js';

type WiringModule = typeof import('./wiring.js');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(ROOT, '.data', 'dev-build');
const WATCHED = ['src', 'migrations'].map((dir) => join(ROOT, dir));
const DEBOUNCE_MS = 30; // editors write a file in several steps

export async function serveWithReload(
  config: Config,
  database: { host: string; port: number },
  logger: Logger,
): Promise<{ close(): Promise<void> }> {
  const log = (line: string) => logger.info(line);
  const sql = await openMigratedPool({ ...config.postgres, ...database }, log);
  await rm(BUILD_DIR, { recursive: true, force: true });
  await mkdir(BUILD_DIR, { recursive: true });
  let generation = 0;
  const freshApp = async (): Promise<App> => {
    const outfile = join(BUILD_DIR, `wiring-${++generation}.mjs`);
    await esbuild.build({
      entryPoints: [join(ROOT, 'src', 'wiring.ts')],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      sourcemap: 'inline', // breakpoints and stack traces point at src/
      logLevel: 'silent',
    });
    const { wireApp } = (await import(pathToFileURL(outfile).href)) as WiringModule;
    return wireApp(config, sql, logger);
  };

  let app = await freshApp();
  const url = await app.listen({ host: config.host, port: config.apiPort });
  const port = Number(new URL(url).port); // API_PORT=0 picked one: keep it across reloads
  logger.info(`notes-service listening on ${url}, reloading on changes to src/ and migrations/`);

  const reload = async () => {
    const started = performance.now();
    let next: App;
    try {
      await applyMigrations(sql, config.postgres.database, log); // a save may have added one
      next = await freshApp();
      await next.ready();
    } catch (error) {
      logger.error(`reload failed, still serving the previous version: ${(error as Error).message}`);
      return;
    }
    await closeApp(app, config.shutdownGraceMs);
    app = next;
    await app.listen({ host: config.host, port });
    logger.info(`reloaded in ${Math.round(performance.now() - started)} ms`);
  };

  let timer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(reload);
    }, DEBOUNCE_MS);
  };
  // One plain watch per directory: it sees files replaced by rename (how editors,
  // sed -i and git save), which Node 20's recursive watch on Linux can miss.
  const watchers: FSWatcher[] = (await directoriesUnder(WATCHED)).map((dir) => watch(dir, onChange));

  return {
    async close() {
      for (const watcher of watchers) watcher.close();
      clearTimeout(timer);
      await reloading;
      await closeApp(app, config.shutdownGraceMs);
      await sql.end({ timeout: config.shutdownGraceMs / 1000 });
    },
  };
}

async function directoriesUnder(roots: string[]): Promise<string[]> {
  const nested = await Promise.all(
    roots.map(async (root) => {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return [
        root,
        ...entries.filter((entry) => entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name)),
      ];
    }),
  );
  return nested.flat();
}
