// The scaled stack with compose (docker-compose.scaled.yml): `make run_scaled`
// starts PostgreSQL, PgBouncer, API_INSTANCES replicas with no host port, and
// HAProxy, the one service that publishes API_PORT; every replica answers through
// it, `make test` passes through it, and `make destroy` removes it all.
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { waitFor } from '../../tools/wait.js';
import { docker, makeTestAgainst, useComposeStack } from '../support/docker.js';

const INSTANCES = 3;
const scaled = useComposeStack('scaled', {
  API_INSTANCES: String(INSTANCES),
  PGBOUNCER_PORT: String(await freePort()),
  BALANCER_STATS_PORT: String(await freePort()),
});

describe.skipIf(inject('dockerEngine') !== null)('the scaled compose stack', () => {
  it(`serves from ${INSTANCES} replicas behind HAProxy, passes make test through it, and is removed by make destroy`, async () => {
    const stack = await scaled();
    const started = Date.now();
    const up = await stack.make('run_scaled', { timeoutMs: 600_000 });
    expect(up.code, up.output).toBe(0);
    console.log(`make run_scaled (compose, ${INSTANCES} replicas): ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const replicas = (
      await docker([
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${stack.name}`,
        '--filter',
        'label=com.docker.compose.service=api',
      ])
    ).split('\n');
    expect(replicas).toHaveLength(INSTANCES);
    for (const replica of replicas) {
      expect(await docker(['port', replica])).toBe(''); // only the balancer publishes a port
    }
    // HAProxy finds replicas through Docker's DNS and takes each in after its first good check.
    const servedBy = new Set<string>();
    await waitFor(
      'not every replica answered through the balancer',
      async () => {
        const response = await fetch(`${stack.url}/health/ready`);
        expect(response.status).toBe(200);
        servedBy.add(response.headers.get('x-served-by') ?? '');
        if (servedBy.size < INSTANCES) throw new Error(`${[...servedBy].join(', ')} so far`);
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );

    const tested = await makeTestAgainst(stack);
    expect(tested.output).toMatch(
      new RegExp(`testing the running stack compose-[0-9a-f]{12} \\(compose-scaled\\) on ${stack.url}`),
    );
    expect(tested.code, tested.output.slice(-3_000)).toBe(0);

    const destroyed = await stack.make('destroy', { timeoutMs: 120_000 });
    expect(destroyed.code, destroyed.output).toBe(0);
    expect(await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.name}`])).toBe('');
    expect(await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${stack.name}`])).toBe('');
  }, 900_000);
});
