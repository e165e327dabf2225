// One log line per request, and the request id that follows it (src/http/request-log.ts).
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import type { NotesRepository } from '../../../src/notes/repository.js';
import { testApp } from '../../support/test-app.js';

describe('request logs', () => {
  function loggedApp(notes: Partial<NotesRepository> = {}) {
    const lines: Array<Record<string, unknown>> = [];
    return { instance: testApp({ notes, logLines: lines }), lines };
  }

  it('writes one line per request with its id, method, route, status and duration', async () => {
    const { instance, lines } = loggedApp();
    await instance.inject({ method: 'GET', url: '/notes/42/' });

    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request',
        requestId: expect.any(String),
        method: 'GET',
        route: '/notes/:id/',
        url: '/notes/42/',
        status: 404,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('reports a listing cut off after its status line as an error, in the request’s one line', async () => {
    const { instance, lines } = loggedApp({
      async *listAll() {
        yield [{ id: 1, contents: 'one', category: '', creation_date: '2026-01-01T00:00:00.000Z' }];
        throw new DatabaseUnavailableError('the database went away mid-listing');
      },
    });
    const response = await instance.inject({ url: '/notes/' }).catch((error: Error) => error);

    expect(response).toBeInstanceOf(Error); // the body could not be completed
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'request: response cut off mid-body',
        route: '/notes/',
        status: 200,
        cutOff: true,
        err: expect.objectContaining({ message: 'the database went away mid-listing' }),
      }),
    ]);
  });

  it('takes the caller’s X-Request-Id and returns it', async () => {
    const { instance, lines } = loggedApp();
    const response = await instance.inject({ url: '/', headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers['x-request-id']).toBe('trace-123');
    expect(lines[0]?.requestId).toBe('trace-123');
  });

  it.each(['', 'has space', 'x'.repeat(129), 'line\nbreak'])(
    'replaces an unusable X-Request-Id (%j) with a new one',
    async (id) => {
      const response = await testApp().inject({ url: '/', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('generates an id when none is sent', async () => {
    const [a, b] = [await testApp().inject({ url: '/' }), await testApp().inject({ url: '/' })];
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('gives the duration in milliseconds, to a tenth', async () => {
    const { instance, lines } = loggedApp({
      get: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 30)),
    });
    const started = performance.now();
    await instance.inject({ url: '/notes/1/' });
    const took = performance.now() - started;
    const durationMs = lines[0]?.durationMs as number;
    expect(Math.round(durationMs * 10) / 10).toBe(durationMs); // one decimal at most
    expect(durationMs).toBeGreaterThanOrEqual(25);
    expect(durationMs).toBeLessThanOrEqual(took + 1);
  });

  it('logs a client that leaves in the middle of a listing at info, as a cut-off of its own making', async () => {
    const { lines } = loggedApp();
    const instance = testApp({
      logLines: lines,
      notes: {
        async *listAll() {
          for (let i = 0; ; i++) {
            yield [
              { id: i + 1, contents: 'x'.repeat(10_000), category: '', creation_date: '2026-01-01T00:00:00.000Z' },
            ];
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        },
      },
    });
    await instance.listen({ host: '127.0.0.1', port: 0 });
    const { port } = instance.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /notes/ HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    await vi.waitFor(() => expect(lines.some((line) => line.cutOff)).toBe(true), { timeout: 5_000 });
    expect(lines.filter((line) => line.cutOff)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request: the client closed the connection mid-body',
        route: '/notes/',
        status: 200,
      }),
    ]);
  });
});
