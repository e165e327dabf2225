// Promise 4: on SIGTERM the service stops accepting, lets in-flight requests
// finish, closes the pool and exits 0: no request sent before the signal fails.
// One that arrives on an open connection meanwhile gets a 503 to retry elsewhere.
// With SHUTDOWN_DRAIN_MS, readiness answers 503 first while everything else is served.
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { postNote, untilAtLeast, useFaultStack } from '../support/fault-stack.js';
import { requestHead } from '../support/raw-http.js';

// Metrics show how many requests the service holds; a long query timeout keeps
// the creates waiting on a frozen database in flight instead of answering 503.
const stack = useFaultStack({ SHUTDOWN_GRACE_MS: '5000', METRICS_ENABLED: 'true', POSTGRES_QUERY_TIMEOUT_MS: '60000' });
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

const WRITERS = 16;

async function requestsInFlight(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^http_requests_in_flight (\d+)$/m.exec(metrics)?.[1]);
}

/** Resolves once the port refuses connections: the service has closed its listener. */
const untilRefused = (port: number) =>
  waitFor(
    'the service to stop accepting connections',
    () =>
      new Promise<void>((resolve, reject) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          reject(new Error('still accepts'));
        });
        probe.once('error', () => resolve());
      }),
    { timeoutMs: 10_000, intervalMs: 10 },
  );

describe('graceful shutdown', () => {
  it('finishes every request in flight at SIGTERM under load, then exits 0', async () => {
    const { url } = stack.service();
    const results: Array<{ sentAt: number; ok: boolean }> = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    let running = true;
    const loops = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let i = 0; running; i++) {
        const sentAt = Date.now();
        try {
          const response = await postNote(url, `shutdown ${writer}/${i}`);
          results.push({ sentAt, ok: response.status === 201 });
        } catch {
          results.push({ sentAt, ok: false });
          if (sentAt > signalledAt) return; // the server is gone: expected after the signal
        }
      }
    });
    await untilAtLeast('40 creates answered under load', () => results.length, 40);
    // "Sent before the signal" by the client's clock races the signal at the server:
    // a request still on the wire arrives after it and rightly gets 503 shutting_down.
    // So the signal waits until no request is on the wire: with the database frozen,
    // each writer's one request is held by the service, all of them counted in flight.
    await stack.freezeDatabase(true);
    let exited: Promise<number | null> | undefined;
    try {
      await waitFor(
        `all ${WRITERS} writers' creates held by the service`,
        async () => {
          const held = await requestsInFlight(url);
          if (held !== WRITERS) throw new Error(`${held} in flight`);
        },
        { timeoutMs: 30_000, intervalMs: 10 },
      );
      signalledAt = Date.now();
      exited = stack.service().stop('SIGTERM');
      // Closing: the listener stops accepting; only then may the held creates finish.
      await untilRefused(stack.service().port);
    } finally {
      await stack.freezeDatabase(false);
    }
    const exitCode = await exited;
    running = false;
    await Promise.all(loops);

    expect(exitCode).toBe(0);
    const before = results.filter((result) => result.sentAt < signalledAt);
    expect(before.length).toBeGreaterThan(40 + WRITERS - 1);
    expect(before.filter((result) => !result.ok)).toEqual([]);
  });
});

describe('requests that arrive while the service closes', () => {
  it('finish the one in flight with Connection: close, and answer the next a 503 in the error shape', async () => {
    const service = await stack.startService();
    const body = JSON.stringify({ contents: 'in flight at SIGTERM' });
    const open = (parts: string[]) => {
      const socket = connect(service.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('error', () => {});
      for (const part of parts) socket.write(part);
      return { socket, answer: new Promise<string>((resolve) => socket.on('close', () => resolve(received))) };
    };
    // In flight when SIGTERM comes: a create whose body is half sent, and a request whose head is.
    const create = open([
      requestHead('POST', '/notes/', { Host: 't', 'Content-Type': 'application/json', 'Content-Length': body.length }),
      body.slice(0, 5),
    ]);
    const late = open(['GET /notes/ HTTP/1.1\r\nHost: t\r\n']);
    // A request on a later connection answered: the server has accepted the two before it (in arrival order).
    expect((await fetch(`${service.url}/health/live`, { headers: { connection: 'close' } })).status).toBe(200);
    const exited = service.stop('SIGTERM');
    // Closing: it no longer accepts connections. Only then do the two requests complete.
    await untilRefused(service.port);
    create.socket.write(body.slice(5));
    late.socket.write('\r\n');

    const created = await create.answer;
    expect(created).toMatch(/^HTTP\/1\.1 201 /);
    expect(created).toMatch(/\r\nconnection: close\r\n/i); // not left idle until the grace period
    const refused = await late.answer;
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'shutting_down',
      message: expect.any(String),
    });
    expect(await exited).toBe(0);
  });
});

describe('the readiness drain (SHUTDOWN_DRAIN_MS)', () => {
  const DRAIN_MS = 1_500;

  it('answers readiness 503 from SIGTERM while it still serves notes, then stops and exits 0', async () => {
    const service = await stack.startService({ SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });
    const signalled = Date.now();
    const exited = service.stop('SIGTERM');
    const ready = await waitFor(
      'readiness to answer 503 after SIGTERM',
      async () => {
        const response = await fetch(`${service.url}/health/ready`);
        if (response.status !== 503) throw new Error(`status ${response.status}`);
        return response;
      },
      { timeoutMs: DRAIN_MS, intervalMs: 10 },
    );
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: 'shutting_down', message: expect.any(String) });
    expect((await fetch(`${service.url}/`)).status).toBe(503);
    const created = await postNote(service.url, 'during the drain');
    expect(created.status).toBe(201);
    expect(created.headers.get('connection')).toBe('close');
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);

    expect(await exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(took).toBeLessThan(DRAIN_MS + 3_000);
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});
