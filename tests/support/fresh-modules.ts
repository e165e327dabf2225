// Run before each test file of the tiers whose files share their workers' modules
// (isolate: false). In watch mode Vitest keeps such a worker from one rerun to the
// next (patches/README.md), so the packages it loaded (Fastify, Ajv, postgres.js…:
// most of what a worker's first file costs) are loaded once per session. Our own
// modules must not outlive a rerun, or the worker would test the code as it was
// before the save: the first file a worker runs in each rerun makes it forget every
// module it evaluated through Vitest (vi.resetModules), so each of ours is evaluated
// again, as in a fresh worker; the files saved since the last run are fetched again
// first (./kept-workers.ts names them). Only what Node loaded itself, the packages
// in node_modules, stays. The ready wait in ./provided.ts comes again with it, so
// each rerun's integrated and external files wait for its database and service.
import { inject, vi } from 'vitest';

const LAST_RUN = Symbol.for('notes-service.tests.last-run');
const worker = globalThis as { [LAST_RUN]?: number };

const run = inject('run');
if (worker[LAST_RUN] !== undefined && worker[LAST_RUN] !== run) vi.resetModules();
worker[LAST_RUN] = run;
