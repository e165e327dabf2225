// How long, and how often, anything that waits for a service's GET / to answer
// 200 tries: the tests' setup, scripts/wait-for-url (make run, CI) and the scaled
// stack. One reading of APP_WAIT_TIMEOUT_MS and APP_WAIT_INTERVAL_MS, one pair of
// defaults (docs/configuration.md). A try is one loopback request, so trying
// often costs nothing and answers a starting service sooner.
import { reader } from '../src/config-reader.js';

export function readAppWait(env: NodeJS.ProcessEnv = process.env): { timeoutMs: number; intervalMs: number } {
  const read = reader(env);
  return {
    timeoutMs: read.integer('APP_WAIT_TIMEOUT_MS', 60_000, 0, 3_600_000),
    intervalMs: read.integer('APP_WAIT_INTERVAL_MS', 50, 1, 60_000),
  };
}
