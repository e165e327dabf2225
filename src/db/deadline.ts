// A client-side deadline on database calls. The driver's connect timeout covers a
// server that refuses or never accepts; a server that accepted and then froze
// (paused VM, network black hole) would hold a request forever. Past the deadline
// the call fails as DatabaseUnavailableError (→ 503); the query itself is left to
// finish or fail on its connection.
import { DatabaseUnavailableError } from './errors.js';

export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
