// Admission (src/http/load-shedding.ts): past a limit, a fast 503 overloaded; liveness
// and metrics never shed.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../tools/wait.js';
import { rawRequest, requestHead } from '../../support/raw-http.js';
import { listeningTestApp, type TestAppOptions, testApp } from '../../support/test-app.js';

/** Atomics.wait on a word nobody sets: a sleep of the whole thread, event loop included. */
const BLOCKER = new Int32Array(new SharedArrayBuffer(4));

const until = (what: string, holds: () => Promise<boolean>) =>
  waitFor(
    what,
    async () => {
      if (!(await holds())) throw new Error('not yet');
    },
    { timeoutMs: 2_000, intervalMs: 10 },
  );

/** Reads by id that wait until released, counting those that reached the database. */
function heldReads() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  return {
    get: () => {
      waiting++;
      return gate.then(() => undefined);
    },
    waiting: () => waiting,
    release: () => release(),
  };
}

describe('load shedding', () => {
  const sheddingApp = (shedding: TestAppOptions['shedding'], notes: TestAppOptions['notes'] = {}) =>
    testApp({ shedding, notes, metrics: true });
  const expectOverloaded = (
    response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    reason: string,
  ) => {
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({
      error: 'overloaded',
      message: `the service is overloaded (${reason}); retry shortly`,
    });
  };

  it('sheds past SHED_IN_FLIGHT_REQUESTS at once, keeps liveness and metrics, and takes requests again after', async () => {
    const reads = heldReads();
    const instance = sheddingApp({ inFlightRequests: 2 }, { get: reads.get });
    const held = [instance.inject({ url: '/notes/1/' }), instance.inject({ url: '/notes/2/' })];
    await until('the two requests never reached the database', async () => reads.waiting() === 2);

    expectOverloaded(await instance.inject({ url: '/notes/3/' }), 'in flight');
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
    const metrics = await instance.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/^http_requests_shed_total\{reason="in_flight"\} [1-9]/m);
    expect(metrics.body).toMatch(/^http_requests_in_flight 2$/m);

    reads.release();
    expect((await Promise.all(held)).map((response) => response.statusCode)).toEqual([404, 404]);
    expect((await instance.inject({ url: '/notes/3/' })).statusCode).toBe(404);
  });

  it('sheds past SHED_EVENT_LOOP_DELAY_MS after the event loop was blocked', async () => {
    const instance = sheddingApp({ eventLoopDelayMs: 20, sampleIntervalMs: 50 });
    await instance.ready();
    let shed: Awaited<ReturnType<typeof instance.inject>> | undefined;
    // The delay counts until the next sample sees an idle loop again, 50 ms: on a
    // loaded machine a request can come after that. So each try blocks the loop
    // anew, lets the overdue sample run, and only then sends its request.
    await until('no shedding', async () => {
      // The loop blocked for 150 ms, as a huge JSON body would block it, but asleep:
      // a busy loop would take that CPU time from the tests beside this one.
      Atomics.wait(BLOCKER, 0, 0, 150);
      await new Promise((resolve) => setTimeout(resolve, 0)); // after the sampler's overdue timer
      shed = await instance.inject({ url: '/notes/1/' });
      return shed.statusCode === 503;
    });
    if (shed) expectOverloaded(shed, 'event loop delay');
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
    // The next samples see an idle loop again.
    await until('still shedding', async () => (await instance.inject({ url: '/notes/1/' })).statusCode === 404);
  });

  it('sheds past SHED_HEAP_USED_BYTES', async () => {
    const instance = sheddingApp({ heapUsedBytes: 1, eventLoopDelayMs: 0, sampleIntervalMs: 10 });
    await until('no shedding', async () => (await instance.inject({ url: '/notes/1/' })).statusCode === 503);
    expectOverloaded(await instance.inject({ url: '/notes/1/' }), 'heap used');
    expect((await instance.inject({ url: '/health/live' })).statusCode).toBe(200);
    const metrics = await instance.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200); // never shed: how an operator sees why
    expect(metrics.body).toMatch(/^http_requests_shed_total\{reason="heap_used"\} [1-9]/m);
  });

  it('sheds the same without metrics', async () => {
    const reads = heldReads();
    const instance = testApp({
      shedding: { inFlightRequests: 1 },
      notes: { get: reads.get },
    });
    const held = instance.inject({ url: '/notes/1/' });
    await until('the request never reached the database', async () => reads.waiting() === 1);
    expectOverloaded(await instance.inject({ url: '/notes/2/' }), 'in flight');
    reads.release();
    expect((await held).statusCode).toBe(404);
  });

  it('takes any number of requests with SHED_IN_FLIGHT_REQUESTS=0', async () => {
    const reads = heldReads();
    const instance = testApp({
      shedding: { inFlightRequests: 0 },
      notes: { get: reads.get },
    });
    const held = Array.from({ length: 5 }, (_, i) => instance.inject({ url: `/notes/${i + 1}/` }));
    await until('not every request reached the database', async () => reads.waiting() === 5);
    reads.release();
    expect((await Promise.all(held)).map((response) => response.statusCode)).toEqual([404, 404, 404, 404, 404]);
  });
});

describe('connections while draining and closing', () => {
  it('keeps connections alive normally, and closes each after its answer while draining', async () => {
    expect((await testApp().inject({ url: '/notes/' })).headers.connection).toBe('keep-alive');
    expect((await testApp({ draining: true }).inject({ url: '/notes/' })).headers.connection).toBe('close');
  });

  it('finishes a request in flight when the app closes, with Connection: close, and answers one arriving then 503 shutting_down', async () => {
    const reads = heldReads();
    const { app, port } = await listeningTestApp({
      notes: { get: reads.get },
    });
    const inFlight = rawRequest(port, [requestHead('GET', '/notes/1/', { Host: 't' })]);
    await until('the request never reached the database', async () => reads.waiting() === 1);
    // A second connection with a request under way (not idle, so close() keeps it)…
    const late = connect(port, '127.0.0.1');
    await new Promise((resolve) => late.once('connect', resolve));
    late.write('GET /notes/2/ HTTP/1.1\r\nHost: t\r\n');
    const closing = app.close();
    await until('the app never started closing', async () => !app.server.listening);
    // …whose request completes only now, while the app closes.
    const answer = new Promise<string>((resolve) => {
      let data = '';
      late.on('data', (chunk) => {
        data += chunk;
        if (data.includes('}')) resolve(data);
      });
    });
    late.write('\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(text).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(JSON.parse(text.slice(text.indexOf('{')))).toEqual({
      error: 'shutting_down',
      message: 'the service is shutting down; retry shortly',
    });
    reads.release();
    const first = await inFlight;
    expect(first.status).toBe(404);
    expect(first.headers.connection).toBe('close');
    late.destroy();
    await closing;
  });

  it('closes while an answer streams: one whose headers are out finishes as it began, and then its connection closes', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const note = { id: 1, contents: 'streamed', category: '', creation_date: '2026-12-03T18:46:00.000Z' };
    const { app, port } = await listeningTestApp({
      // Far past the test's time limit: a connection left idle after its answer would outlast the test.
      limits: { keepAliveTimeoutMs: 120_000 },
      notes: {
        async *listAll() {
          yield [note];
          await gate;
          yield [{ ...note, id: 2 }];
        },
      },
    });
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    let ended = false;
    socket.once('end', () => {
      ended = true;
    });
    socket.write(requestHead('GET', '/notes/', { Host: 't' }));
    await until('the listing never began', async () => received.includes('\r\n\r\n'));
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/\r\nconnection: keep-alive\r\n/i);
    expect(received).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    const closing = app.close();
    await until('the app never started closing', async () => !app.server.listening);
    release();
    // Ended by the server (this client never closes), well before the keep-alive timeout would.
    await waitFor(
      'the connection idled on after its answer while the app closed',
      async () => {
        if (!ended) throw new Error('still open');
      },
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    const bodyStart = received.indexOf('\r\n\r\n') + 4;
    expect(JSON.parse(unchunk(received.slice(bodyStart)))).toEqual([note, { ...note, id: 2 }]);
    await expect(closing).resolves.toBeUndefined();
    socket.destroy();
  });
});

/** The body of a chunked answer, its chunks joined (the last one, of size 0, included). */
function unchunk(body: string): string {
  let text = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (size === 0) return text;
    text += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
