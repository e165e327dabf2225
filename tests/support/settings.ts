// The test suite's own settings, from the environment like the service's, and
// the values the global setup hands to test files through provide/inject.
import { inject } from 'vitest';
import type { ConnectionSettings } from '../../src/db/pool.js';

export interface TestSettings {
  appUrl: string | undefined;
  /** The service's own API_TOKEN: the external tier sends it, so it runs against a protected deployment too. */
  apiToken: string | undefined;
  /** The STACK_ID of the stack under test (make test sets it): what its GET / answers as `stack`. */
  stackId: string | undefined;
  appWait: { timeoutMs: number; intervalMs: number };
}

export function readTestSettings(env: NodeJS.ProcessEnv = process.env): TestSettings {
  const ms = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
    return Number(value);
  };
  return {
    appUrl: env.APP_URL?.replace(/\/+$/, '') || undefined,
    apiToken: env.API_TOKEN || undefined,
    stackId: env.STACK_ID || undefined,
    appWait: { timeoutMs: ms('APP_WAIT_TIMEOUT_MS', 30_000), intervalMs: ms('APP_WAIT_INTERVAL_MS', 50) },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    database: ConnectionSettings | null;
    appUrl: string | null;
    /** The token the external tier's service requires: API_TOKEN, or the run's own for the service it started. */
    apiToken: string | null;
    /** Why the container tier can't run (no Docker engine), or null when it can. */
    dockerEngine: string | null;
  }
}

export function testDatabase(): ConnectionSettings {
  const database = inject('database');
  if (!database) throw new Error('no test database: the global setup starts one for the integrated and external tiers');
  return database;
}

export function appUrl(): string {
  const url = inject('appUrl');
  if (!url) throw new Error('no service: the global setup starts one for the external tier unless APP_URL is set');
  return url;
}

/** The Authorization header the external tier's service wants (see ProvidedContext.apiToken), else none. */
export function authorization(): Record<string, string> {
  const apiToken = inject('apiToken') ?? readTestSettings().apiToken;
  return apiToken ? { authorization: `Bearer ${apiToken}` } : {};
}
