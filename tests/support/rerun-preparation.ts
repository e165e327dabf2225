// Watch mode: each rerun's integrated and external files get the database and the
// service as the saves before it left them, prepared as the saves land, or the failure
// that stopped them, in the ready files (docs/testing.md, the watch loop, says how).
import { rmSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { TestProject } from 'vitest/node';
import { modulesLoadedWith } from '../../tools/importers.js';
import { bundle, SERVICE_ENTRIES, serviceNodeArgs } from '../../tools/service-build.js';
import type { ServiceProcess } from '../../tools/service-process.js';
import { writeAtomically } from '../../tools/write-atomically.js';
import { ROOT } from './make.js';
import type { Ready, ReadyFiles } from './provided.js';
import type { SwapAnswer, SwapRequest } from './swappable-service.js';

/** What the saves under these directories change: the database's schema, the service's code. */
const PREPARED_FOR = ['src', 'migrations'];
/** Editors write a file in several steps: one preparation for a burst of them. */
const DEBOUNCE_MS = 30;
/** The app the service swaps in: its modules are the ones the service loads with import() (./swappable-service.ts). */
const APP = 'src/process/assemble.ts';

export interface Prepared {
  /** Applies the migrations not applied yet. */
  migrate(): Promise<void>;
  /** The files the rerun's waiting files look for (./provided.ts). */
  ready: ReadyFiles;
  /**
   * The service the first run started (none when its start failed), and how to
   * start another one: both of the swappable entry (./swappable-service.ts).
   */
  service?: { first: ServiceProcess | undefined; start(): Promise<ServiceProcess> };
}

const isAlive = (service: ServiceProcess) => service.child.exitCode === null && service.child.signalCode === null;

/** What a rerun is to take for the service: the one that runs the saved code, or the failure that stopped it. */
interface ServiceState {
  service?: ServiceProcess;
  failure?: string;
  /** A save of what the service loads itself is in no service yet (its build or start failed): the next save starts one. */
  restartOwed?: boolean;
  /** The app to swap into `service` as the rerun begins, built after the save `cause` names. */
  swap?: { cause: string; app: Promise<string> };
}

/** Asks `service` to swap `app` in; resolves to its answer. */
function requestSwap(service: ServiceProcess, app: string): Promise<SwapAnswer> {
  const { child } = service;
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off('message', onAnswer);
      child.off('disconnect', onGone);
    };
    const onAnswer = (answer: SwapAnswer) => {
      done();
      resolve(answer);
    };
    const onGone = () => {
      done();
      reject(new Error('the service exited'));
    };
    child.on('message', onAnswer);
    child.once('disconnect', onGone); // its channel closes as it exits, or has already
    if (!child.connected) return onGone();
    child.send({ swap: app } satisfies SwapRequest, (error) => {
      if (!error) return;
      done();
      reject(error);
    });
  });
}

/**
 * Prepares every rerun (in watch mode; else nothing) and returns what stops
 * everything it holds at the end of the session: the service included.
 */
export function prepareEachRerun(project: TestProject, { migrate, ready, service }: Prepared): () => Promise<void> {
  let current = service?.first;
  if (!project.vitest.config.watch) return async () => void (await current?.stop());

  // The migrations of the saves since the session began, one after the other: each resolves to its failure, if any.
  let migrated: Promise<string | undefined> = Promise.resolve(undefined);
  // What the next rerun is to take: the newest service the saves since the last rerun started, or the current one.
  let next: Promise<ServiceState> = Promise.resolve({ service: current });
  let taking: Promise<void> = Promise.resolve();
  const chosen = new Set<ServiceProcess>(); // by a rerun: never stopped under it
  const stopping: Promise<unknown>[] = [];
  const stopLater = (old: ServiceProcess) => {
    chosen.delete(old);
    stopping.push(old.stop());
  };

  /** Said at once, in one line, and returned for the ready file: the files that need what failed fail with it. */
  const failed = (cause: string, what: string, error: unknown) => {
    const line = `${cause}: ${what} failed: ${(error as Error).message}`;
    process.stderr.write(`${line}\n`);
    return line;
  };

  // Services that had an app swapped in: their build no longer says what they run.
  const swapped = new WeakSet<ServiceProcess>();

  /** The service running the sources once `migration` is in: `base`'s, or a new one when the build changed. */
  const refresh = async (base: ServiceState, cause: string, migration: Promise<unknown>): Promise<ServiceState> => {
    if (!service) return base;
    const built = await serviceNodeArgs('swappable').then(
      (nodeArgs) => ({ nodeArgs, failure: undefined }),
      (error: unknown) => ({ nodeArgs: undefined, failure: failed(cause, 'building the service', error) }),
    );
    await migration; // the service checks the schema at its start
    const old = base.service;
    if (!built.nodeArgs) return { service: old, failure: built.failure, restartOwed: true };
    if (old && isAlive(old) && !swapped.has(old) && built.nodeArgs.join(' ') === old.nodeArgs.join(' '))
      return { service: old };
    try {
      const started = await service.start();
      if (old && old !== current && !chosen.has(old)) stopLater(old); // started for a save a newer one overtook
      return { service: started };
    } catch (error) {
      return { service: old, failure: failed(cause, 'starting the service', error), restartOwed: true };
    }
  };

  /** `state` with its app swapped into its service: the service then runs the sources, or the failure says why not. */
  const swapIn = async ({
    service: target,
    swap,
  }: ServiceState & { service: ServiceProcess }): Promise<ServiceState> => {
    if (!swap) return { service: target };
    let app: string;
    try {
      app = await swap.app;
    } catch (error) {
      return { service: target, failure: failed(swap.cause, 'building the service', error) };
    }
    swapped.add(target);
    const answer = await requestSwap(target, app).catch((error: Error) => ({ failed: error.message }));
    if (!('failed' in answer)) return { service: target };
    // What the service holds now is unknown (the app of before, or none): the next save starts a new one.
    const failure = failed(swap.cause, 'swapping the saved app in', new Error(answer.failed));
    return { service: target, failure, restartOwed: true };
  };

  // A saved migration is applied between runs, never under one: it and the saves after it wait for the rerun
  // (a service started meanwhile would apply it too).
  let migrationSaved = false;
  let waiting: { causes: string[]; files?: string[] } | undefined; // the preparations that wait for the rerun
  /**
   * Prepares for the saves of `files` (unknown: any): a migration, and a new service
   * when they include what the service loads itself, or the app to swap in when
   * they include the app's code.
   */
  const prepare = (cause: string, files?: string[]) => {
    if (migrationSaved) {
      // All of them, in one preparation: which service a rerun needs depends on every file saved.
      const known = waiting ? waiting.files : [];
      waiting = {
        causes: [...(waiting?.causes ?? []), cause],
        files: known && files ? [...new Set([...known, ...files])] : undefined,
      };
      return;
    }
    const migration = migrated.then(() =>
      migrate().then(
        () => undefined,
        (error: unknown) => failed(cause, 'migrating the test database', error),
      ),
    );
    migrated = migration;
    // Unreadable sources (a file that doesn't parse): a new service, whose build says why.
    const outsideTheApp = files && modulesLoadedWith(ROOT, [SERVICE_ENTRIES.swappable]);
    const restart = !outsideTheApp || files.some((file) => outsideTheApp.includes(file));
    const app = restart ? undefined : modulesLoadedWith(ROOT, [APP]);
    const swap = !restart && (!app || files.some((file) => app.includes(file)));
    next = next.then((state) => {
      if (restart || state.restartOwed) return refresh(state, cause, migration);
      if (!swap || !service) return state; // nothing the service runs changed (migrations, src/dev/…)
      // Built now, while the save's rerun waits for its debounce; swapped in when it begins.
      const built = bundle(ROOT, APP).then(({ file }) => file);
      built.catch(() => {}); // said by the swap
      return { ...state, swap: { cause, app: built } };
    });
  };
  let burst: { timer: NodeJS.Timeout; files: Set<string> } | undefined;
  const prepareBurst = () => {
    if (!burst) return;
    clearTimeout(burst.timer);
    const files = [...burst.files];
    burst = undefined;
    prepare(`after the save of ${files.join(', ')}`, files);
  };
  const onSave = (path: string) => {
    const file = relative(ROOT, path);
    if (!PREPARED_FOR.some((dir) => file.startsWith(`${dir}${sep}`))) return;
    if (file.startsWith(`migrations${sep}`)) migrationSaved = true;
    if (burst) clearTimeout(burst.timer);
    const files = burst?.files ?? new Set<string>();
    files.add(file);
    burst = { timer: setTimeout(prepareBurst, DEBOUNCE_MS), files };
  };
  const watcher = project.vitest.vite.watcher;
  for (const event of ['add', 'change', 'unlink']) watcher.on(event, onSave);
  // Saves made while the database and the service were starting, before this was listening.
  prepare('before the first rerun');

  // The run's directory is gone (an interrupt removed it): the run ends.
  const write = (file: string | null, contents: Ready) =>
    file ? writeAtomically(file, JSON.stringify(contents)).catch(() => {}) : Promise.resolve();
  project.onTestsRerun(() => {
    for (const file of [ready.database, ready.service]) if (file) rmSync(file, { force: true });
    prepareBurst(); // a save still in its debounce belongs to this rerun
    migrationSaved = false; // between runs: what waited is prepared now
    if (waiting) prepare(waiting.causes.join('; '), waiting.files);
    waiting = undefined;
    const migration = migrated;
    const choice = next.then((state) => {
      const dead = service && !state.restartOwed && !(state.service && isAlive(state.service));
      if (dead) return refresh(state, 'the service had stopped', migration);
      // No run uses the service now: its app is swapped under none.
      if (state.swap && state.service && !state.restartOwed) return swapIn({ ...state, service: state.service });
      return state;
    });
    next = choice.then((state) => {
      if (state.service) chosen.add(state.service);
      return state;
    });
    const taken = next;
    taking = taking.then(async () => {
      const migrationFailure = await migration;
      await write(ready.database, migrationFailure ? { error: migrationFailure } : {});
      const state = await taken;
      const old = current;
      current = state.service;
      if (state.failure) await write(ready.service, { error: state.failure });
      else if (current) await write(ready.service, { appUrl: current.url });
      else await write(ready.service, { error: 'the service did not start: the line above says why' });
      if (old && old !== current) stopLater(old);
    });
  });

  return async () => {
    for (const event of ['add', 'change', 'unlink']) watcher.off(event, onSave);
    if (burst) clearTimeout(burst.timer);
    await taking;
    const last = await next; // a preparation under way ends before what it started is stopped
    for (const held of new Set([last.service, current])) if (held) stopLater(held);
    await Promise.all(stopping);
  };
}
