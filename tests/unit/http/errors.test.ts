// The one map from failure to HTTP (src/http/errors.ts): the database away, a bug,
// an unknown route, the framework's own errors, all in the one shape.
import type { Duplex } from 'node:stream';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { handleClientError } from '../../../src/http/errors.js';
import { sharedTestApp, testApp } from '../../support/test-app.js';

describe('the error map', () => {
  const app = sharedTestApp(); // for the tests that only look at an answer
  it('answers 503 with Retry-After when the database connection is refused', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const response = await testApp({
      notes: {
        // biome-ignore lint/correctness/useYield: fails before its first batch, like a refused connection
        listAll: async function* () {
          throw refused;
        },
      },
    }).inject({ method: 'GET', url: '/notes/' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'database_unavailable', message: expect.any(String) });
    expect(response.headers['retry-after']).toBe('1');
  });

  it('answers an unexpected error with a bare 500 that reveals nothing', async () => {
    const response = await testApp({
      notes: {
        // biome-ignore lint/correctness/useYield: fails before its first batch
        listAll: async function* () {
          throw new Error('relation "secret_table" does not exist');
        },
      },
    }).inject({ method: 'GET', url: '/notes/' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal_error', message: 'internal server error' });
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const response = await app().inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: 'no route for GET /nowhere' });
  });

  it('answers a statement timeout (SQLSTATE 57014) with 503 and Retry-After, not 500', async () => {
    const timedOut = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '57014' });
    const response = await testApp({ notes: { get: () => Promise.reject(timedOut) } }).inject({ url: '/notes/1/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json().error).toBe('database_unavailable');
  });

  it('names a 403 from the docs page files forbidden', async () => {
    const response = await app().inject({ url: '/docs/static/a%00b' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'forbidden', message: expect.any(String) });
  });
});

describe('what the error map logs and says', () => {
  const app = sharedTestApp(); // for the tests that only look at an answer
  const failingRead = (error: unknown) => ({ notes: { get: () => Promise.reject(error) } });

  it('logs a database outage at warn with the error, and answers it in words', async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const instance = testApp({ ...failingRead(new DatabaseUnavailableError('refused')), logLines });
    const response = await instance.inject({ url: '/notes/1/' });
    expect(response.json()).toEqual({
      error: 'database_unavailable',
      message: 'the database is unavailable; retry shortly',
    });
    const line = logLines.find((entry) => entry.msg === 'database unavailable');
    expect(line).toMatchObject({ level: 40, err: { type: 'DatabaseUnavailableError', message: 'refused' } });
  });

  it('logs a bug at error with the error and the request id, and answers a bare 500', async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const instance = testApp({ ...failingRead(new TypeError('x is not a function')), logLines });
    const response = await instance.inject({ url: '/notes/1/', headers: { 'x-request-id': 'bug-42' } });
    expect(response.json()).toEqual({ error: 'internal_error', message: 'internal server error' });
    const line = logLines.find((entry) => entry.msg === 'unhandled error');
    expect(line).toMatchObject({
      level: 50,
      requestId: 'bug-42',
      err: { type: 'TypeError', message: 'x is not a function' },
    });
  });

  it('answers an error carrying a 5xx status as a bare 500 too, its message kept from the client', async () => {
    const upstream = Object.assign(new Error('proxy at 10.0.0.7 refused'), { statusCode: 502 });
    const response = await testApp(failingRead(upstream)).inject({ url: '/notes/1/' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal_error', message: 'internal server error' });
  });

  it('names at most 100 characters of the Content-Type it refused', async () => {
    const contentType = `text/${'x'.repeat(300)}`;
    const response = await app().inject({
      method: 'POST',
      url: '/notes/',
      payload: 'hello',
      headers: { 'content-type': contentType },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().message).toBe(`the body must be application/json, got ${contentType.slice(0, 100)}`);
  });

  it('says when a body came with no Content-Type at all', async () => {
    const response = await app().inject({ method: 'POST', url: '/notes/', body: Buffer.from('{"contents":"x"}') });
    expect(response.statusCode).toBe(415);
    expect(response.json().message).toBe('the body must be application/json, got no Content-Type');
  });
});

describe('handleClientError', () => {
  /** A socket double recording what the handler does to it. */
  function socket({ destroyed = false, writable = true } = {}) {
    const written: string[] = [];
    let destroyCalls = 0;
    const double = {
      destroyed,
      writable,
      write: (text: string) => written.push(text),
      destroy: () => {
        destroyCalls++;
      },
    };
    return { double: double as unknown as Duplex, written, destroyed: () => destroyCalls };
  }
  const withCode = (code?: string) => Object.assign(new Error('client error'), code ? { code } : {});

  it('answers a parse error with 400 bad_request in the one shape, then closes', () => {
    const target = socket();
    handleClientError(withCode('HPE_INVALID_METHOD'), target.double);
    expect(target.written).toHaveLength(1);
    const [head = '', body] = (target.written[0] ?? '').split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json; charset=utf-8',
      'X-Content-Type-Options: nosniff',
      `Content-Length: ${Buffer.byteLength(body ?? '')}`,
      'Connection: close',
    ]);
    expect(JSON.parse(body ?? '')).toEqual({ error: 'bad_request', message: 'malformed HTTP request' });
    expect(target.destroyed()).toBe(1);
  });

  it('answers an error without a code as bad_request too', () => {
    const target = socket();
    handleClientError(withCode(), target.double);
    expect(target.written[0]).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('writes nothing to a client that reset the connection, or to a socket already gone', () => {
    for (const [error, state] of [
      [withCode('ECONNRESET'), {}],
      [withCode('HPE_INVALID_METHOD'), { destroyed: true }],
    ] as const) {
      const target = socket(state);
      handleClientError(error, target.double);
      expect(target.written).toEqual([]);
      expect(target.destroyed()).toBe(0);
    }
  });

  it('only closes a socket it can no longer write to', () => {
    const target = socket({ writable: false });
    handleClientError(withCode('HPE_HEADER_OVERFLOW'), target.double);
    expect(target.written).toEqual([]);
    expect(target.destroyed()).toBe(1);
  });
});
