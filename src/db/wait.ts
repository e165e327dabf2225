// A retry loop for start-up and migrations: wait for the database
// with a deadline instead of failing because it is a second late. Only "not up
// yet" is waited for; a host name that doesn't resolve, like a refused password,
// won't fix itself and ends the wait at once.
import type { Sql } from 'postgres';
import { ConfigError } from '../config-reader.js';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { isDatabaseUnavailable } from './errors.js';

/** How often a long wait says that it still waits: often enough to show life, seldom enough to read. */
export const WAIT_PROGRESS_EVERY_MS = 5_000;

export type WaitOptions = {
  timeoutMs: number;
  intervalMs: number;
  /** The host asked for (POSTGRES_HOST), named when it doesn't resolve. */
  host: string;
  /** Where a line goes every WAIT_PROGRESS_EVERY_MS while it still waits. */
  log?: (line: string) => void;
};

/**
 * Pings every `intervalMs` until the database answers or `timeoutMs` has passed,
 * then fails with the last reason it gave. `first` runs before each ping (the TLS
 * probe); what it throws counts like the ping's own errors.
 */
export async function waitForDatabase(
  sql: Sql,
  { timeoutMs, intervalMs, host, log }: WaitOptions,
  first?: () => Promise<void>,
): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextProgress = started + WAIT_PROGRESS_EVERY_MS;
  for (;;) {
    try {
      await first?.();
      await sql`select 1`;
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOTFOUND') {
        throw new ConfigError(
          `POSTGRES_HOST ${host} does not resolve (${(error as Error).message}): set it to the database's host name or address`,
          { cause: error },
        );
      }
      // Wrong password or unknown database won't fix themselves: fail at once.
      if (!isDatabaseUnavailable(error)) throw error;
      const now = Date.now();
      if (now + intervalMs > deadline) {
        throw new DatabaseUnavailableError(
          `the database did not answer within ${timeoutMs} ms (${(error as Error).message})`,
          { cause: error },
        );
      }
      if (now >= nextProgress) {
        log?.(
          `still waiting for the database (${(error as Error).message}): ${now - started} ms of POSTGRES_WAIT_TIMEOUT_MS=${timeoutMs}`,
        );
        nextProgress += WAIT_PROGRESS_EVERY_MS;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
