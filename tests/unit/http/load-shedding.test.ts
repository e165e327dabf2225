// Admission (src/http/load-shedding.ts): past a limit, a fast 503 overloaded; liveness
// and metrics never shed.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../tools/wait.js';
import { type TestAppOptions, testApp } from '../../support/test-app.js';

describe('load shedding', () => {
  const sheddingApp = (shedding: TestAppOptions['shedding'], notes: TestAppOptions['notes'] = {}) =>
    testApp({ shedding, notes, metrics: true });
  const until = (what: string, holds: () => Promise<boolean>) =>
    waitFor(
      what,
      async () => {
        if (!(await holds())) throw new Error('not yet');
      },
      { timeoutMs: 2_000, intervalMs: 10 },
    );
  const expectOverloaded = (response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({ error: 'overloaded', message: expect.any(String) });
  };

  it('sheds past SHED_IN_FLIGHT_REQUESTS at once, keeps liveness and metrics, and takes requests again after', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let waiting = 0;
    const get = () => {
      waiting++;
      return gate.then(() => undefined);
    };
    const instance = sheddingApp({ inFlightRequests: 2 }, { get });
    const held = [instance.inject({ url: '/notes/1/' }), instance.inject({ url: '/notes/2/' })];
    await until('the two requests never reached the database', async () => waiting === 2);

    expectOverloaded(await instance.inject({ url: '/notes/3/' }));
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
    const metrics = await instance.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/^http_requests_shed_total\{reason="in_flight"\} [1-9]/m);
    expect(metrics.body).toMatch(/^http_requests_in_flight 2$/m);

    release();
    expect((await Promise.all(held)).map((response) => response.statusCode)).toEqual([404, 404]);
    expect((await instance.inject({ url: '/notes/3/' })).statusCode).toBe(404);
  });

  it('sheds past SHED_EVENT_LOOP_DELAY_MS after the event loop was blocked', async () => {
    const instance = sheddingApp({ eventLoopDelayMs: 20, sampleIntervalMs: 50 });
    await instance.ready();
    const blockedUntil = Date.now() + 150;
    while (Date.now() < blockedUntil); // a CPU-bound stretch, as a huge JSON body would cause
    await until('no shedding', async () => (await instance.inject({ url: '/notes/1/' })).statusCode === 503);
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
    // The next samples see an idle loop again.
    await until('still shedding', async () => (await instance.inject({ url: '/notes/1/' })).statusCode === 404);
  });

  it('sheds past SHED_HEAP_USED_BYTES', async () => {
    const instance = sheddingApp({ heapUsedBytes: 1, sampleIntervalMs: 10 });
    await until('no shedding', async () => (await instance.inject({ url: '/notes/1/' })).statusCode === 503);
    expectOverloaded(await instance.inject({ url: '/notes/1/' }));
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
  });
});
