// kill -9 of one instance under load: HAProxy takes it out within its check
// interval; only requests in flight on it may fail; clients that retry their POST
// with the same Idempotency-Key end with exactly one note per key.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { CHECK_INTERVAL_MS, mixedLoad, useScaledStack } from '../support/scaled-stack.js';

const scaled = useScaledStack();
const CLIENTS = 4;

describe('an instance killed with SIGKILL', () => {
  it('is routed around within the check interval, and retried creates stay exactly once', async () => {
    const stack = scaled.stack();
    const load = mixedLoad(stack.url, { clients: CLIENTS, retry: true });
    await waitFor(
      'the load did not get going',
      async () => {
        if (load.result.acknowledged.size < 20) throw new Error(`${load.result.acknowledged.size} notes`);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const killedAt = Date.now();
    await stack.stopInstance(0, 'SIGKILL');
    await waitFor(
      'HAProxy did not take the killed instance out',
      async () => {
        const state = (await stack.instanceStates())['instance-1'] ?? '';
        if (!state.startsWith('DOWN')) throw new Error(state);
      },
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const outAfterMs = Date.now() - killedAt;
    const failuresAtKill = load.result.failures.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the load goes on without it
    const result = await load.stop();

    console.log(
      `kill -9: out of the balancer after ${outAfterMs} ms; ${result.requests} requests, ${result.failures.length} failed before a retry`,
    );
    // Two failed checks, each at most an interval apart plus the check's own time.
    expect(outAfterMs).toBeLessThan(2 * CHECK_INTERVAL_MS + 2_000);
    expect(result.failures.length).toBeLessThanOrEqual(CLIENTS); // one request in flight per client, at most
    expect(result.failures.length).toBe(failuresAtKill); // none once it was out

    const sql = scaled.database();
    const counts = await sql<{ contents: string; n: number }[]>`
      select contents, count(*)::int as n from notes where contents like ${`scaled ${load.tag}-%`} group by contents`;
    expect(counts.filter((row) => row.n !== 1)).toEqual([]);
    for (const key of result.acknowledged.keys()) {
      expect(
        counts.some((row) => row.contents === `scaled ${key}`),
        key,
      ).toBe(true);
    }

    await stack.startInstance(0);
    await waitFor(
      'the restarted instance did not come back UP',
      async () => {
        if ((await stack.instanceStates())['instance-1'] !== 'UP') throw new Error('not yet');
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }, 120_000);
});
