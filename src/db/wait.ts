// The talk's tenacity loop for start-up and migrations: wait for the database
// with a deadline instead of failing because it is a second late.
import type { Sql } from 'postgres';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { isDatabaseUnavailable } from './errors.js';

/**
 * Pings every `intervalMs` until the database answers or `timeoutMs` has passed,
 * then fails with the last reason it gave. `first` runs before each ping (the TLS
 * probe); what it throws counts like the ping's own errors.
 */
export async function waitForDatabase(
  sql: Sql,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
  first?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await first?.();
      await sql`select 1`;
      return;
    } catch (error) {
      // Wrong password or unknown database won't fix themselves: fail at once.
      if (!isDatabaseUnavailable(error)) throw error;
      if (Date.now() + intervalMs > deadline) {
        throw new DatabaseUnavailableError(
          `the database did not answer within ${timeoutMs} ms (${(error as Error).message})`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
