// The container tier's harness: whether a Docker engine answers, compose stacks
// of the test's own (free ports, a project name that says which run made it),
// and their removal: at the end of the file even when a test failed, and at the
// start of the next run for stacks whose run was killed before it could.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { isRunning } from '../../src/system/process-running.js';
import { freePort } from '../../tools/free-port.js';
import { type MakeOptions, type MakeResult, make, ROOT } from './make.js';

const run = promisify(execFile);
const PROJECT_PREFIX = 'notes-ct-';
const PROJECT_LABEL = 'com.docker.compose.project';

/** `docker ARGS`' standard output; rejects with its standard error. */
export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')}: ${stderr?.trim() || message}`);
  }
}

/** Why no engine can be used, or undefined when one answers. */
export async function engineUnavailable(): Promise<string | undefined> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], 10_000);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.split('\n').find((line) => line.trim()) ?? 'no answer';
    return reason.replace(/^docker info --format \{\{\.ServerVersion\}\}: /, '');
  }
}

export interface ComposeStack {
  readonly name: string;
  readonly url: string;
  /** API_PORT, POSTGRES_PORT, DEBUG_PORT, COMPOSE_PROJECT_NAME, STACK=compose and the extras. */
  readonly env: Record<string, string>;
  make(target: string, options?: MakeOptions): Promise<MakeResult>;
  /** The id of the service's container (running or stopped). */
  container(service: 'api' | 'database'): Promise<string>;
}

/**
 * A compose stack on free ports under a project name of this run's: call at the
 * top of a test file. Whatever the tests did, the file ends with the stack's
 * containers, networks and volumes removed.
 */
export function useComposeStack(label: string, extraEnv: Record<string, string> = {}, cwd?: string) {
  const name = `${PROJECT_PREFIX}${process.pid}-${label}`;
  const ports = Promise.all([freePort(), freePort(), freePort()]);
  let env: Record<string, string> | undefined;
  const stack = async (): Promise<ComposeStack> => {
    const [api, postgres, debug] = await ports;
    env ??= {
      STACK: 'compose',
      COMPOSE_PROJECT_NAME: name,
      API_PORT: String(api),
      POSTGRES_PORT: String(postgres),
      DEBUG_PORT: String(debug),
      ...extraEnv,
    };
    const stackEnv = env;
    return {
      name,
      url: `http://127.0.0.1:${api}`,
      env: stackEnv,
      make: (target, options = {}) => make(target, stackEnv, { cwd, ...options }),
      async container(service) {
        const id = await docker([
          'ps',
          '-aq',
          '--filter',
          `label=${PROJECT_LABEL}=${name}`,
          '--filter',
          `label=com.docker.compose.service=${service}`,
        ]);
        if (!id) throw new Error(`no ${service} container in ${name}`);
        return id.split('\n')[0] as string;
      },
    };
  };
  afterAll(async () => {
    await removeProject(name);
    // What make run recorded of it (its kind and id), as make destroy would remove it.
    await rm(join(cwd ?? ROOT, '.data/stacks', name), { recursive: true, force: true });
  }, 120_000);
  return stack;
}

// Containers, networks and volumes: what a compose project makes, each labelled with it.
const KINDS = [
  { list: ['ps', '-a'], remove: ['rm', '-f', '-v'] },
  { list: ['network', 'ls'], remove: ['network', 'rm'] },
  { list: ['volume', 'ls'], remove: ['volume', 'rm', '-f'] },
];

/** Everything a compose project made, by its label: works whichever Compose made it. */
export async function removeProject(name: string): Promise<void> {
  for (const { list, remove } of KINDS) {
    const ids = (await docker([...list, '-q', '--filter', `label=${PROJECT_LABEL}=${name}`])).split('\n');
    if (ids.some(Boolean)) await docker([...remove, ...ids.filter(Boolean)]);
  }
}

/** Removes the stacks of earlier runs that were killed before their own cleanup. */
export async function reapAbandonedProjects(): Promise<void> {
  const projects = new Set<string>();
  for (const { list } of KINDS) {
    const names = await docker([
      ...list,
      '--filter',
      `label=${PROJECT_LABEL}`,
      '--format',
      `{{.Label "${PROJECT_LABEL}"}}`,
    ]);
    for (const name of names.split('\n')) if (name.startsWith(PROJECT_PREFIX)) projects.add(name);
  }
  for (const name of projects) {
    const pid = Number(name.slice(PROJECT_PREFIX.length).split('-')[0]);
    if (pid !== process.pid && !(await isRunning(pid))) await removeProject(name);
  }
}

/** `make test` against a running stack: every tier of npm test, on its URL and its database. */
export async function makeTestAgainst(stack: ComposeStack): Promise<MakeResult> {
  // In the stack's own checkout (a working copy, for the development stack), where make run recorded it.
  return stack.make('test', { timeoutMs: 300_000 });
}

/** `docker inspect -f FORMAT ID`. */
export const inspect = (id: string, format: string) => docker(['inspect', '-f', format, id]);
