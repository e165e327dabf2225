// Promise 4: on SIGTERM the service stops accepting, lets in-flight requests
// finish, closes the pool and exits 0: no request sent before the signal fails.
// One that arrives on an open connection meanwhile gets a 503 to retry elsewhere.
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { postNote, useFaultStack } from '../support/fault-stack.js';
import { requestHead } from '../support/raw-http.js';

const stack = useFaultStack({ SHUTDOWN_GRACE_MS: '5000' });
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

describe('graceful shutdown', () => {
  it('finishes every request sent before SIGTERM under load, then exits 0', async () => {
    const { url } = stack.service();
    const results: Array<{ sentAt: number; ok: boolean }> = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    let running = true;
    const loops = Array.from({ length: 16 }, async (_, writer) => {
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
    await new Promise((resolve) => setTimeout(resolve, 600));
    signalledAt = Date.now();
    const exitCode = await stack.service().stop('SIGTERM');
    running = false;
    await Promise.all(loops);

    expect(exitCode).toBe(0);
    const before = results.filter((result) => result.sentAt < signalledAt);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((result) => !result.ok)).toEqual([]);
  });
});

describe('requests that arrive while the service closes', () => {
  it('get a 503 in the error shape with Retry-After, after the request in flight is answered', async () => {
    const service = await stack.startService();
    const body = JSON.stringify({ contents: 'in flight at SIGTERM' });
    const socket = connect(service.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    // The first request is in flight (its body half sent) when SIGTERM comes...
    socket.write(
      requestHead('POST', '/notes/', { Host: 't', 'Content-Type': 'application/json', 'Content-Length': body.length }),
    );
    socket.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = service.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ...the rest of it follows, and a second request behind it on the same connection.
    socket.write(body.slice(5) + requestHead('GET', '/notes/', { Host: 't' }));
    await closed;
    expect(await exited).toBe(0);

    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 201 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(second?.slice(second.indexOf('\r\n\r\n') + 4) ?? '')).toEqual({
      error: 'shutting_down',
      message: expect.any(String),
    });
  });
});
