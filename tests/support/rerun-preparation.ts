// Watch mode (make test_reloading): each rerun's integrated and external files run
// against the database and the service as the saves before it left them.
//
// A save under src/ or migrations/ is prepared for at once, while Vitest still
// waits out its debounce and the rerun's unit files run: a new migration is
// applied, and when the service's build changed (its bundle is named by its
// content), a new service is started beside the running one, on a port of its
// own. A rerun takes what the saves before it prepared: it takes the ready file
// away (./provided.ts: the files that need the database or the service wait for
// it, the others start at once), waits for those preparations, names the new
// service in the ready file and then stops the old one. So no service is stopped
// under a run: the last run has ended when the next one begins. A save of a test
// file prepares nothing; a rerun starts the service again if it died.
import { rmSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { TestProject } from 'vitest/node';
import { serviceNodeArgs } from '../../tools/service-build.js';
import type { ServiceProcess } from '../../tools/service-process.js';
import { writeAtomically } from '../../tools/write-atomically.js';
import { ROOT } from './make.js';
import type { Started } from './provided.js';

/** What the saves under these directories change: the database's schema, the service's code. */
const PREPARED_FOR = ['src', 'migrations'];
/** Editors write a file in several steps: one preparation for a burst of them. */
const DEBOUNCE_MS = 30;

export interface Prepared {
  /** Applies the migrations not applied yet. */
  migrate(): Promise<void>;
  /** The file the rerun's waiting files look for (./provided.ts). */
  readyFile: string;
  /** The service the first run started, and how to start another one. */
  service?: { first: ServiceProcess; start(): Promise<ServiceProcess> };
}

const isAlive = (service: ServiceProcess) => service.child.exitCode === null && service.child.signalCode === null;

/**
 * Prepares every rerun (in watch mode; else nothing) and returns what stops
 * everything it holds at the end of the session: the service included.
 */
export function prepareEachRerun(project: TestProject, { migrate, readyFile, service }: Prepared): () => Promise<void> {
  let current = service?.first;
  if (!project.vitest.config.watch) return async () => void (await current?.stop());

  // The service the next rerun is to take: the newest one the saves since the last rerun started, or the current one.
  let next: Promise<ServiceProcess | undefined> = Promise.resolve(current);
  let taking: Promise<void> = Promise.resolve();

  /** Brings the database and the service up to the sources; resolves to the service that runs them. */
  const refresh = async (base: ServiceProcess | undefined, cause: string): Promise<ServiceProcess | undefined> => {
    // Said, not thrown: the rerun goes on and shows what the failure breaks.
    const said = (what: string) => (error: unknown) => {
      process.stderr.write(`${cause}: ${what} failed: ${(error as Error).message}\n`);
      return undefined;
    };
    const [, nodeArgs] = await Promise.all([
      migrate().catch(said('migrating the test database')),
      service ? serviceNodeArgs('server').catch(said('building the service')) : undefined,
    ]);
    if (!service || !nodeArgs) return base;
    if (base && isAlive(base) && nodeArgs.join(' ') === base.nodeArgs.join(' ')) return base;
    const started = await service.start().catch(said('starting the service'));
    if (!started) return base;
    if (base && base !== current) await base.stop(); // started for a save that a newer one overtook before any run took it
    return started;
  };

  let burst: { timer: NodeJS.Timeout; file: string } | undefined;
  const prepareNow = () => {
    if (!burst) return;
    clearTimeout(burst.timer);
    const cause = `after the save of ${burst.file}`;
    burst = undefined;
    next = next.then((base) => refresh(base, cause));
  };
  const onSave = (path: string) => {
    const file = relative(ROOT, path);
    if (!PREPARED_FOR.some((dir) => file.startsWith(`${dir}${sep}`))) return;
    if (burst) clearTimeout(burst.timer);
    burst = { timer: setTimeout(prepareNow, DEBOUNCE_MS), file };
  };
  const watcher = project.vitest.vite.watcher;
  for (const event of ['add', 'change', 'unlink']) watcher.on(event, onSave);

  project.onTestsRerun(() => {
    rmSync(readyFile, { force: true });
    prepareNow(); // a save still in its debounce belongs to this rerun
    next = next.then((base) => (!service || (base && isAlive(base)) ? base : refresh(base, 'the service had stopped')));
    const chosen = next;
    taking = taking.then(async () => {
      const taken = await chosen;
      const old = current;
      current = taken;
      const ready: Started = { appUrl: current?.url ?? null };
      await writeAtomically(readyFile, JSON.stringify(ready)).catch(() => {}); // the run's directory is gone: the run ends
      if (old && old !== current) await old.stop();
    });
  });

  return async () => {
    for (const event of ['add', 'change', 'unlink']) watcher.off(event, onSave);
    if (burst) clearTimeout(burst.timer);
    await taking;
    const last = await next; // a preparation under way ends before what it started is stopped
    if (last && last !== current) await last.stop();
    await current?.stop();
  };
}
