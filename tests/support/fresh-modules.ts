// Watch mode keeps a worker from one rerun to the next (patches/README.md); at its
// first file of each rerun, this setup file makes it forget our modules, so it runs
// the code as saved and only the packages stay loaded (docs/testing.md, the watch loop).
import { inject, vi } from 'vitest';

const LAST_RUN = Symbol.for('notes-service.tests.last-run');
const worker = globalThis as { [LAST_RUN]?: number };

const run = inject('run');
if (worker[LAST_RUN] !== undefined && worker[LAST_RUN] !== run) vi.resetModules();
worker[LAST_RUN] = run;
