// Watch mode (make test_reloading): each rerun's integrated and external files run
// against the database and the service as the saves before it left them.
//
// A save under src/ or migrations/ is prepared for at once, while Vitest still
// waits out its debounce and the rerun's unit files run: a new migration is
// applied, and when the service's build changed (its bundle is named by its
// content), a new service is started beside the running one, on a port of its
// own. A rerun takes what the saves before it prepared: it takes the ready files
// away (./provided.ts, ./provided-service.ts: the files that need the database or
// the service wait for them, the others start at once), puts the database's back
// once the migrations are in, names the new service in the service's once it is
// up, and then stops the old one. So no service is stopped under a run: the last
// run has ended when the next one begins. A save of a test file prepares nothing;
// a rerun starts the service again if it died, or never started.
import { rmSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { TestProject } from 'vitest/node';
import { serviceNodeArgs } from '../../tools/service-build.js';
import type { ServiceProcess } from '../../tools/service-process.js';
import { writeAtomically } from '../../tools/write-atomically.js';
import { ROOT } from './make.js';
import type { Ready, ReadyFiles } from './provided.js';

/** What the saves under these directories change: the database's schema, the service's code. */
const PREPARED_FOR = ['src', 'migrations'];
/** Editors write a file in several steps: one preparation for a burst of them. */
const DEBOUNCE_MS = 30;

export interface Prepared {
  /** Applies the migrations not applied yet. */
  migrate(): Promise<void>;
  /** The files the rerun's waiting files look for (./provided.ts). */
  ready: ReadyFiles;
  /** The service the first run started (none when its start failed), and how to start another one. */
  service?: { first: ServiceProcess | undefined; start(): Promise<ServiceProcess> };
}

const isAlive = (service: ServiceProcess) => service.child.exitCode === null && service.child.signalCode === null;

/**
 * Prepares every rerun (in watch mode; else nothing) and returns what stops
 * everything it holds at the end of the session: the service included.
 */
export function prepareEachRerun(project: TestProject, { migrate, ready, service }: Prepared): () => Promise<void> {
  let current = service?.first;
  if (!project.vitest.config.watch) return async () => void (await current?.stop());

  // The migrations the saves since the last rerun began, one after the other.
  let migrated: Promise<unknown> = Promise.resolve();
  // The service the next rerun is to take: the newest one the saves since the last rerun started, or the current one.
  let next: Promise<ServiceProcess | undefined> = Promise.resolve(current);
  let taking: Promise<void> = Promise.resolve();

  /** Said, not thrown: the rerun goes on and shows what the failure breaks. */
  const said = (cause: string, what: string) => (error: unknown) => {
    process.stderr.write(`${cause}: ${what} failed: ${(error as Error).message}\n`);
    return undefined;
  };

  /** The service running the sources once `migration` is in: `base`, or a new one when the build changed. */
  const refresh = async (
    base: ServiceProcess | undefined,
    cause: string,
    migration: Promise<unknown>,
  ): Promise<ServiceProcess | undefined> => {
    const nodeArgs = service ? await serviceNodeArgs('server').catch(said(cause, 'building the service')) : undefined;
    await migration; // the service checks the schema at its start
    if (!service || !nodeArgs) return base;
    if (base && isAlive(base) && nodeArgs.join(' ') === base.nodeArgs.join(' ')) return base;
    const started = await service.start().catch(said(cause, 'starting the service'));
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
    const migration = migrated.then(() => migrate().catch(said(cause, 'migrating the test database')));
    migrated = migration;
    next = next.then((base) => refresh(base, cause, migration));
  };
  const onSave = (path: string) => {
    const file = relative(ROOT, path);
    if (!PREPARED_FOR.some((dir) => file.startsWith(`${dir}${sep}`))) return;
    if (burst) clearTimeout(burst.timer);
    burst = { timer: setTimeout(prepareNow, DEBOUNCE_MS), file };
  };
  const watcher = project.vitest.vite.watcher;
  for (const event of ['add', 'change', 'unlink']) watcher.on(event, onSave);

  // The run's directory is gone (an interrupt removed it): the run ends.
  const write = (file: string | null, contents: Ready) =>
    file ? writeAtomically(file, JSON.stringify(contents)).catch(() => {}) : Promise.resolve();
  project.onTestsRerun(() => {
    for (const file of [ready.database, ready.service]) if (file) rmSync(file, { force: true });
    prepareNow(); // a save still in its debounce belongs to this rerun
    const migration = migrated;
    next = next.then((base) =>
      !service || (base && isAlive(base)) ? base : refresh(base, 'the service had stopped', migration),
    );
    const chosen = next;
    taking = taking.then(async () => {
      await migration;
      await write(ready.database, {});
      const taken = await chosen;
      const old = current;
      current = taken;
      await write(
        ready.service,
        current ? { appUrl: current.url } : { error: 'the service did not start: the line above says why' },
      );
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
