// A client-side deadline on database calls, and the boundary where the driver's
// errors become the one the HTTP layer knows. The driver's connect timeout covers
// a server that refuses or never accepts; a server that accepted and then froze
// (paused VM, network black hole) would hold a request forever. Past the deadline
// the call fails as DatabaseUnavailableError (→ 503); the query itself is left to
// finish or fail on its connection.
import { DatabaseUnavailableError } from '../database-unavailable.js';
import type { Around } from './around.js';
import { asUnavailable } from './errors.js';

export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  // One promise and one timer, not a race: this runs on every request.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new DatabaseUnavailableError(`the database did not answer within ${ms} ms`)),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(asUnavailable(error));
      },
    );
  });
}

/** Every call under the deadline, its unavailability said as DatabaseUnavailableError. */
export const guardDatabaseCalls =
  (ms: number): Around =>
  (call) =>
    withDeadline(call(), ms);
