// A rolling restart behind the balancer: under a load of clients creating and
// reading notes, each instance in turn gets SIGTERM (it drains: readiness 503,
// everything else served, until HAProxy has taken it out), exits, and is started
// again. No request fails, and every acknowledged note is readable afterwards.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { mixedLoad, useScaledStack } from '../support/scaled-stack.js';

const scaled = useScaledStack();

describe('a rolling restart', () => {
  it('restarts every instance in turn under load with zero failed requests', async () => {
    const stack = scaled.stack();
    // Half the clients create without a key: nothing may be retried for them.
    const load = mixedLoad(stack.url, { clients: 6, keyless: 3 });
    await waitFor(
      'the load did not get going',
      async () => {
        if (load.result.acknowledged.size < 20) throw new Error(`${load.result.acknowledged.size} notes`);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const pidsBefore = [0, 1, 2].map((i) => stack.instancePid(i));

    for (const i of [0, 1, 2]) {
      await stack.stopInstance(i, 'SIGTERM');
      await stack.startInstance(i);
      // Rolling on only once the balancer sends to it again, as an orchestrator gates on readiness.
      await waitFor(
        `instance ${i + 1} did not come back UP`,
        async () => {
          const state = (await stack.instanceStates())[`instance-${i + 1}`];
          if (state !== 'UP') throw new Error(state);
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    }
    const result = await load.stop();

    expect([0, 1, 2].map((i) => stack.instancePid(i))).not.toEqual(pidsBefore);
    console.log(`rolling restart: ${result.requests} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(result.servedBy.size).toBe(3);
    const unreadable: string[] = [];
    for (const [key, id] of result.acknowledged) {
      if ((await fetch(`${stack.url}/notes/${id}/`)).status !== 200) unreadable.push(key);
    }
    expect(unreadable).toEqual([]);
  }, 120_000);
});
