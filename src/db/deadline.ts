// A client-side deadline on database calls, and the boundary where the driver's
// errors become the one the HTTP layer knows. The driver's connect timeout covers
// a server that refuses or never accepts; a server that accepted and then froze
// (paused VM, network black hole) would hold a request forever. Past the deadline
// the call fails as DatabaseUnavailableError (→ 503). The call is told its
// deadline, so what is still queued for it is dropped and a create statement that
// reaches the server later stores nothing (the repositories pass it on).
import { DatabaseUnavailableError } from '../database-unavailable.js';
import type { Guard } from './around.js';
import { asUnavailable } from './errors.js';

/**
 * `work`'s outcome, or DatabaseUnavailableError once Date.now() reaches `deadline`.
 * Never before it: a timer can fire up to a loop iteration early by the clock, and
 * a 503 sent early would let a create that reaches the database just before its
 * deadline store a note its client was told failed.
 */
export function withDeadline<T>(work: Promise<T>, deadline: number, ms: number): Promise<T> {
  // One promise and one timer, not a race: this runs on every request.
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const expire = () => {
      const early = deadline - Date.now();
      if (early > 0) timer = setTimeout(expire, early);
      else reject(new DatabaseUnavailableError(`the database did not answer within ${ms} ms`));
    };
    timer = setTimeout(expire, ms);
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

/** Every call under a deadline of `ms`, its unavailability said as DatabaseUnavailableError. */
export function guardDatabaseCalls(ms: number): Guard {
  return (call) => {
    const deadline = Date.now() + ms;
    return withDeadline(call(deadline), deadline, ms);
  };
}
