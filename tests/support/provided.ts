// What the global setup hands to test files through provide/inject. The global
// setup returns before the database and the service are up, so that the files
// that need neither (most of the unit tier) start at once, while PostgreSQL and
// the service start beside them. A file that imports this module waits here,
// once per worker and run (its top-level await; ./fresh-modules.ts), until the
// setup has written its ready file for the database: up and migrated, or why
// not. ./provided-service.ts waits for the service the same way.
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ConnectionSettings } from '../../src/db/pool.js';
import { readTestSettings } from './settings.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the test database is (known before it is up: see `databaseReady`), or null when no tier needs one. */
    database: ConnectionSettings | null;
    /** APP_URL, once it answers: the service the external tier tests when it starts none. */
    appUrl: string | null;
    /** The file the setup writes once the database is up and migrated (a Ready), or null when it starts none. */
    databaseReady: string | null;
    /** The file the setup writes once the service it starts is up (a Ready with its appUrl), or null when it starts none. */
    serviceReady: string | null;
    /** The token the external tier's service requires: API_TOKEN, or the run's own for the service it started. */
    apiToken: string | null;
    /** Why the container tier can't run (no Docker engine), or null when it can. */
    dockerEngine: string | null;
    /** The run's number: 0, then one more for each rerun in watch mode (./fresh-modules.ts). */
    run: number;
  }
}

/** What a ready file holds: what came up (the service's URL, for the service's), or why it failed. */
export type Ready = { appUrl?: string | null } | { error: string };

/** The ready files of a run: null for what it doesn't start. */
export interface ReadyFiles {
  database: string | null;
  service: string | null;
}

/** How often a waiting file looks for the ready file: a fraction of a start that takes a few hundred ms. */
const LOOK_EVERY_MS = 10;

/**
 * The longest the setup's start can take before it writes a ready file, up or
 * failed: PostgreSQL's start, then the service's wait for it and its own; past it
 * the setup died without a word.
 */
function startBoundMs(): number {
  const { embeddedPostgres, postgres } = loadConfig();
  return embeddedPostgres.startTimeoutMs + postgres.waitTimeoutMs + readTestSettings().appWait.timeoutMs;
}

/** What the ready `file` says once it is there (nothing without a file); a failure it names is thrown. */
export async function waitForReady(file: string | null): Promise<{ appUrl?: string | null }> {
  if (!file) return {};
  const boundMs = startBoundMs();
  const deadline = Date.now() + boundMs;
  for (;;) {
    // The setup writes it in one rename, so what is there is whole; always, as its last step, fail or not.
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const ready = JSON.parse(text) as Ready;
      if ('error' in ready) throw new Error(`the test setup failed, so this file can't run: ${ready.error}`);
      return ready;
    }
    if (Date.now() > deadline) throw new Error(`the test setup wrote no ${file} in ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
}

await waitForReady(inject('databaseReady'));

export function testDatabase(): ConnectionSettings {
  const database = inject('database');
  if (!database) throw new Error('no test database: the global setup starts one for the integrated and external tiers');
  return database;
}

/** The Authorization header the external tier's service wants (see ProvidedContext.apiToken), else none. */
export function authorization(): Record<string, string> {
  const apiToken = inject('apiToken') ?? readTestSettings().apiToken;
  return apiToken ? { authorization: `Bearer ${apiToken}` } : {};
}
