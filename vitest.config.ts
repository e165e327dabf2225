// The three test tiers (unit, integrated, external) as Vitest projects (and as one, for npm test), plus four that CI runs apart from
// npm test: `workflow` (native stacks, the production install), `faults`
// (crashes, outages, shutdown under load, hostile requests; each file runs its
// own database and service so it can break them), `containers` (the image and
// the compose stacks on a real Docker engine; skipped in one line without one) and
// `scaled` (several instances behind a real load balancer and pooler). One global setup serves them all: it starts a
// throw-away PostgreSQL (or uses POSTGRES_HOST) only when a tier that needs one
// runs, and the service only for the external tier when APP_URL is not given.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { modulesLoadedWith, testFilesImporting } from './tools/importers.js';
import { SERVICE_ENTRIES } from './tools/service-build.js';

// V8's compiled code of the packages every process loads (Fastify, Ajv, postgres.js,
// Vitest's own), kept on disk by Node (22.1 and later): the test workers and the
// services the tests start inherit the setting. ~0.4 CPU-seconds of a run.
process.env.NODE_COMPILE_CACHE ??= fileURLToPath(new URL('.data/node-compile-cache', import.meta.url));
nodeModule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE); // absent before Node 22.1

const TSCONFIG_HASH = createHash('sha1')
  .update(readFileSync(new URL('tsconfig.json', import.meta.url)))
  .digest('hex')
  .slice(0, 12);

// Projects don't inherit the root's test options (that would also run the global
// setup once per tier), so each tier carries its own.
const tier = (
  name: string,
  options: { include?: string[]; testTimeout?: number; fileParallelism?: boolean; isolate?: boolean } = {},
) => ({
  test: {
    name,
    include: [`tests/${name}/**/*.test.ts`],
    // Vitest refuses a committed .only when CI=true; keep it that way.
    allowOnly: !process.env.CI,
    testTimeout: 30_000,
    // Workers that share modules are kept between watch mode's reruns: each rerun's code is evaluated afresh.
    ...(options.isolate === false ? { setupFiles: ['tests/support/fresh-modules.ts'] } : {}),
    ...options,
  },
});

/**
 * External files that start the service's entries themselves, each start failing
 * before the app's modules load (src/process/service.ts loads them with import()
 * once the database answers; a hook in those processes fails any start that loads
 * them): the entries they start. A save reruns such a file only when the entries
 * load the saved module before the app; a save of a route can't change them.
 */
const FAILING_STARTS: Record<string, readonly string[]> = {
  'tests/external/startup-failures.test.ts': [SERVICE_ENTRIES.server, SERVICE_ENTRIES.devServer],
};

/**
 * Failing-start files rerun while the sources couldn't be read (a save that doesn't
 * parse fails their builds too): they rerun with the next save as well, or the
 * failure of that run would stand after the fix.
 */
const rerunWhileUnreadable = new Set<string>();

/** The external tier's files, as they are at the time of a save, that can run `saved` (relative to the root). */
const externalTierFiles = (saved: string) =>
  readdirSync('tests/external', { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `tests/external/${file}`)
    .filter((file) => {
      const entries = FAILING_STARTS[file];
      if (!entries) return true;
      const loaded = modulesLoadedWith(process.cwd(), entries);
      if (!loaded) {
        rerunWhileUnreadable.add(file);
        return true;
      }
      if (rerunWhileUnreadable.delete(file)) return true;
      return loaded.includes(saved);
    });

/** npm test's tiers: unit, integrated, external. */
const FAST_TIERS = ['unit', 'integrated', 'external'];

export default defineConfig({
  // What the runs themselves write (the service's builds, the transform and compile
  // caches, npm start's database) is no source: watched, each build's new files
  // had the watcher list and stat directories, half a CPU-second of every rerun.
  server: { watch: { ignored: ['**/.data/**', '**/coverage/**', '**/dist/**'] } },
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [
      // npm test: the three tiers as one project. Vitest gives a worker the next file
      // only if it is of the same project; as three projects, every switch of tier
      // started a fresh worker that imported Fastify and the rest again, a quarter
      // of the run's CPU time on two cores. No module of ours keeps state (everything
      // is built by factories), so the files share their workers' modules too.
      tier('tiers', { include: FAST_TIERS.map((name) => `tests/${name}/**/*.test.ts`), isolate: false }),
      // One tier alone (npm run test:unit, …; mutation testing runs two).
      ...FAST_TIERS.map((name) => tier(name, { isolate: false })),
      tier('workflow'),
      tier('faults'),
      // Image builds and compose stacks: one file at a time, so two builds don't split two cores.
      tier('containers', { testTimeout: 300_000, fileParallelism: false }),
      // Instances behind HAProxy and PgBouncer, each file its own stack; one at a time, as timing matters.
      tier('scaled', { testTimeout: 120_000, fileParallelism: false }),
    ],
    hookTimeout: 60_000,
    // Transforms kept on disk between runs (Vitest's experimental fsModuleCache), by
    // content: ~0.6 CPU-seconds of a warm run. In the checkout's own .data/, not in
    // node_modules/ (its default): the tests' working copies link node_modules/ in,
    // and Vitest clears its cache when the lockfile's hash changes, which counts
    // patches/'s mtime; a fresh copy's differs, so it emptied the cache under the
    // runs still reading it (ENOENT). Vite's transform also reads tsconfig.json,
    // which Vitest's key leaves out: its hash names the directory.
    experimental: { fsModuleCache: true, fsModuleCachePath: `.data/vitest-cache/${TSCONFIG_HASH}` },
    // npm run test:coverage (scripts/coverage.ts) adds the service process's and reports both.
    coverage: { provider: 'v8', include: ['src/**'], reportsDirectory: 'coverage' },
    // Watch mode (make test_reloading): a save reruns the test files that import
    // what changed, Vitest's module graph; the external tier imports no source, so a
    // save under src/ reruns it too, against the service running the saved code
    // (tests/support/global-setup.ts), its failing starts when they load the saved
    // module (FAILING_STARTS). A migration reruns everything, once applied.
    forceRerunTriggers: ['**/package.json/**', '**/vitest.config.*/**', '**/migrations/**'],
    watchTriggerPatterns: [
      {
        pattern: /(^|\/)src\/.+\.ts$/,
        // Named here, the importers are no longer found by Vitest itself (tools/importers.ts).
        // Only this checkout's src/ (a checkout may itself live under some ~/src/): else Vitest's own way.
        testsToRun: (file) =>
          relative(process.cwd(), file).startsWith(`src${sep}`)
            ? [
                ...testFilesImporting(process.cwd(), file).filter((test) => /^tests\/(unit|integrated)\//.test(test)),
                ...externalTierFiles(relative(process.cwd(), file)),
              ]
            : undefined,
      },
    ],
  },
});
