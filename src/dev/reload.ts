// npm run dev's half of reloading (service.ts swaps the apps): a watch on src/ and
// migrations/, and assembleApp built afresh from the sources, in about a tenth of
// a second. esbuild bundles src/process/assemble.ts's graph (our code only;
// packages stay shared) into a new file under .data/dev-build, which is then
// imported. This works because no module of ours keeps state: everything is built
// by factories. Each reload leaves its modules in memory; restart npm run dev after
// a few thousand saves. Development only: esbuild is a development dependency,
// and the production build leaves this file out.
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Reloader } from '../process/service.js';

type AssembleModule = typeof import('../process/assemble.js');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_DIR = join(ROOT, '.data', 'dev-build');
const WATCHED = ['src', 'migrations'].map((dir) => join(ROOT, dir));
const DEBOUNCE_MS = 30; // editors write a file in several steps

export async function createReloader(): Promise<Reloader> {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await mkdir(BUILD_DIR, { recursive: true });
  let generation = 0;
  return {
    async freshAssembler() {
      const outfile = join(BUILD_DIR, `assemble-${++generation}.mjs`);
      await esbuild.build({
        entryPoints: [join(ROOT, 'src', 'process', 'assemble.ts')],
        outfile,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        sourcemap: 'inline', // breakpoints and stack traces point at src/
        logLevel: 'silent',
      });
      return ((await import(pathToFileURL(outfile).href)) as AssembleModule).assembleApp;
    },

    async watch(onChange, onError) {
      const saves = onEachSave(onChange, onError);
      // One plain watch per directory: it sees files replaced by rename (how editors,
      // sed -i and git save), which Node 20's recursive watch on Linux can miss.
      const watchers: FSWatcher[] = (await directoriesUnder(WATCHED)).map((dir) => watch(dir, saves.changed));
      return {
        async close() {
          for (const watcher of watchers) watcher.close();
          await saves.close();
        },
      };
    },
  };
}

/**
 * `onChange` once per burst of saves (DEBOUNCE_MS apart), one call at a time. A
 * call that fails goes to `onError` and the chain goes on: the next save is
 * handled as if none had failed. close() waits for the call under way.
 */
export function onEachSave(onChange: () => Promise<void>, onError: (error: unknown) => void, debounceMs = DEBOUNCE_MS) {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  return {
    changed() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(onChange).catch(onError);
      }, debounceMs);
    },
    async close() {
      clearTimeout(timer);
      await running;
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
