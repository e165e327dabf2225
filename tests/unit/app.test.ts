// The HTTP layer through Fastify's inject: the real buildApp with a repository double.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatabaseUnavailableError } from '../../src/db/errors.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import type { NotesRepository } from '../../src/notes/repository.js';
import { inMemoryNotes } from '../support/in-memory-notes.js';
import { waitFor } from '../support/wait.js';

const config = {
  logLevel: 'silent',
  noteMaxLength: 50,
  idempotencyKeyTtlMs: 60_000,
  bodyLimitBytes: 1024,
  requestTimeoutMs: 5_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  lingeringCloseMs: 1_000,
  apiToken: undefined,
  shedding: loadConfig({}).shedding,
} as const;
const apps: ReturnType<typeof buildApp>[] = [];

function app(overrides: Partial<NotesRepository> = {}, readiness = async () => {}, apiToken?: string) {
  const instance = buildApp({
    config: { ...config, apiToken },
    notes: { ...inMemoryNotes(), ...overrides },
    readiness,
  });
  apps.push(instance);
  return instance;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()));
});

describe('POST /notes/', () => {
  it('creates a note: 201, the note, and its Location', async () => {
    const contents = `a note ${randomUUID()}`;
    const response = await app().inject({ method: 'POST', url: '/notes/', payload: { contents } });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 1, contents, creation_date: expect.any(String) });
    expect(response.headers.location).toBe('/notes/1/');
  });

  it('answers the same without the trailing slash, with no redirect', async () => {
    const response = await app().inject({ method: 'POST', url: '/notes', payload: { contents: 'x' } });
    expect(response.statusCode).toBe(201);
  });

  it('ignores unknown fields instead of storing them', async () => {
    const response = await app().inject({ method: 'POST', url: '/notes/', payload: { contents: 'x', admin: true } });
    expect(response.statusCode).toBe(201);
    expect(response.json()).not.toHaveProperty('admin');
  });

  it.each([
    ['malformed JSON', 400, 'invalid_json', '{"contents": ', 'application/json'],
    ['an empty JSON body', 400, 'invalid_json', '', 'application/json'],
    ['an array', 400, 'invalid_request', '["x"]', 'application/json'],
    ['null', 400, 'invalid_request', 'null', 'application/json'],
    ['a string', 400, 'invalid_request', '"x"', 'application/json'],
    ['no contents', 400, 'invalid_request', '{}', 'application/json'],
    ['numeric contents', 400, 'invalid_request', '{"contents": 5}', 'application/json'],
    ['null contents', 400, 'invalid_request', '{"contents": null}', 'application/json'],
    ['object contents', 400, 'invalid_request', '{"contents": {"a": 1}}', 'application/json'],
    ['empty contents', 400, 'invalid_request', '{"contents": ""}', 'application/json'],
    [
      'contents over NOTE_MAX_LENGTH',
      400,
      'invalid_request',
      JSON.stringify({ contents: 'a'.repeat(51) }),
      'application/json',
    ],
    ['a NUL character', 400, 'invalid_request', '{"contents": "a\\u0000b"}', 'application/json'],
    ['an unpaired surrogate', 400, 'invalid_request', '{"contents": "a\\ud800b"}', 'application/json'],
    ['a __proto__ key', 400, 'invalid_json', '{"__proto__": {"x": 1}, "contents": "a"}', 'application/json'],
    ['plain text', 415, 'unsupported_media_type', 'hello', 'text/plain'],
    ['a form', 415, 'unsupported_media_type', 'contents=hello', 'application/x-www-form-urlencoded'],
    [
      'a body over BODY_LIMIT_BYTES',
      413,
      'payload_too_large',
      JSON.stringify({ contents: 'a'.repeat(2000) }),
      'application/json',
    ],
  ])('rejects %s with a JSON %i %s', async (_case, status, error, payload, contentType) => {
    const response = await app().inject({
      method: 'POST',
      url: '/notes/',
      payload,
      headers: { 'content-type': contentType },
    });

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error, message: expect.any(String) });
    expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  });

  it('explains what is wrong with the contents in the message', async () => {
    const response = await app().inject({ method: 'POST', url: '/notes/', payload: { contents: '' } });
    expect(response.json().message).toBe('body/contents must not be empty');
  });

  it.each([
    { name: '25 emoji: 50 code units', contents: '😀'.repeat(25), status: 201 },
    { name: '25 emoji and a letter: 51 code units', contents: `${'😀'.repeat(25)}a`, status: 400 },
    { name: '26 emoji: 26 code points, but 52 code units', contents: '😀'.repeat(26), status: 400 },
  ])('counts NOTE_MAX_LENGTH (50) in UTF-16 code units: $name → $status', async ({ contents, status }) => {
    const response = await app().inject({ method: 'POST', url: '/notes/', payload: { contents } });
    expect(response.statusCode).toBe(status);
    if (status === 400) expect(response.json().message).toMatch(/at most 50 characters long \(UTF-16 code units/);
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters, emoji counted as UTF-16 code units', async () => {
    const contents = `${'é'.repeat(48)}😀`;
    const response = await app().inject({ method: 'POST', url: '/notes/', payload: { contents } });
    expect(response.statusCode).toBe(201);
    expect(response.json().contents).toBe(contents);
  });
});

describe('GET /notes/:id/', () => {
  it('returns a stored note under both spellings', async () => {
    const instance = app();
    const created = (await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' } })).json();

    for (const url of [`/notes/${created.id}/`, `/notes/${created.id}`]) {
      const response = await instance.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
    }
  });

  it('answers 404 not_found for a note that does not exist', async () => {
    const response = await app().inject({ method: 'GET', url: '/notes/4242/' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: 'note 4242 does not exist' });
  });

  it.each(['0', '-1', 'abc', '1.5', '1e3', '0x10', '%20'])('answers 400 for the id %s', async (id) => {
    const response = await app().inject({ method: 'GET', url: `/notes/${id}/` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message: 'params/id must be a positive integer' });
  });

  it.each(['9223372036854775808', '99999999999999999999'])('answers 404 for %s, beyond bigint', async (id) => {
    const response = await app().inject({ method: 'GET', url: `/notes/${id}/` });
    expect(response.statusCode).toBe(404);
  });
});

describe('GET /notes/', () => {
  it('lists every note under both spellings', async () => {
    const instance = app();
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'one' } });
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'two' } });

    for (const url of ['/notes/', '/notes']) {
      const response = await instance.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json().map((note: { contents: string }) => note.contents)).toEqual(['one', 'two']);
    }
  });
});

describe('GET /', () => {
  it('answers 200 up while the database answers', async () => {
    const response = await app().inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ app: 'notes-service', status: 'up' });
  });

  it('answers 503 while the database does not, so no test starts against a broken service', async () => {
    const response = await app({}, async () => {
      throw new DatabaseUnavailableError('down');
    }).inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe('database_unavailable');
    expect(response.headers['retry-after']).toBe('1');
  });
});

describe('failures', () => {
  it('answers 503 with Retry-After when the database connection is refused', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const response = await app({
      // biome-ignore lint/correctness/useYield: fails before its first batch, like a refused connection
      listAll: async function* () {
        throw refused;
      },
    }).inject({ method: 'GET', url: '/notes/' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'database_unavailable', message: expect.any(String) });
    expect(response.headers['retry-after']).toBe('1');
  });

  it('answers an unexpected error with a bare 500 that reveals nothing', async () => {
    const response = await app({
      // biome-ignore lint/correctness/useYield: fails before its first batch
      listAll: async function* () {
        throw new Error('relation "secret_table" does not exist');
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
});

describe('GET /openapi.json', () => {
  it('documents every notes route from the same schemas that validate them', async () => {
    const response = await app().inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/', '/notes/', '/notes/{id}/']));
    expect(
      document.paths['/notes/'].post.requestBody.content['application/json'].schema.properties.contents.maxLength,
    ).toBe(config.noteMaxLength);
  });
});

describe('methods', () => {
  it.each([
    ['PUT', '/notes/', 'GET, HEAD, POST, OPTIONS'],
    ['DELETE', '/notes/1/', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/notes', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/', 'GET, HEAD, OPTIONS'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const response = await app().inject({ method, url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.json()).toEqual({ error: 'method_not_allowed', message: expect.stringContaining(method) });
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const response = await app().inject({ method: 'OPTIONS', url: '/notes/' });
    expect(response.statusCode).toBe(204);
    expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await app().inject({ method: 'HEAD', url: '/notes/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });
});

describe('API_TOKEN', () => {
  const token = 'sëcret-token';

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer wrong'],
    ['a longer token with the right prefix', `Bearer ${token}x`],
    ['another scheme', `Basic ${token}`],
  ])('answers 401 on /notes for %s', async (_case, authorization) => {
    const response = await app({}, undefined, token).inject({
      method: 'GET',
      url: '/notes/',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.json().error).toBe('unauthorized');
  });

  it('lets the right bearer token through', async () => {
    const response = await app({}, undefined, token).inject({
      method: 'POST',
      url: '/notes/',
      payload: { contents: 'x' },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(201);
  });

  it.each(['/', '/health/live', '/health/ready'])('keeps %s open', async (url) => {
    const response = await app({}, undefined, token).inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
  });
});

describe('health', () => {
  it('answers /health/live even while the database is down', async () => {
    const down = async () => {
      throw new DatabaseUnavailableError('down');
    };
    expect((await app({}, down).inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await app({}, down).inject({ url: '/health/ready' })).statusCode).toBe(503);
  });
});

describe('GET /notes/ in pages', () => {
  async function appWithNotes(count: number) {
    const instance = app();
    for (let i = 1; i <= count; i++) {
      await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: `note ${i}` } });
    }
    return instance;
  }

  it('returns the next page after an id, with a Link to the one after', async () => {
    const instance = await appWithNotes(5);
    const response = await instance.inject({ url: '/notes/?limit=2&after=1' });
    expect(response.statusCode).toBe(200);
    expect(response.json().map((note: { id: number }) => note.id)).toEqual([2, 3]);
    expect(response.headers.link).toBe('</notes/?limit=2&after=3>; rel="next"');
  });

  it('leaves out the Link on the last page', async () => {
    const instance = await appWithNotes(3);
    const response = await instance.inject({ url: '/notes/?limit=2&after=1' });
    expect(response.json().map((note: { id: number }) => note.id)).toEqual([2, 3]);
    expect(response.headers.link).toBeUndefined();
  });

  it('starts from the beginning with only a limit', async () => {
    const instance = await appWithNotes(3);
    const response = await instance.inject({ url: '/notes?limit=1' });
    expect(response.json().map((note: { id: number }) => note.id)).toEqual([1]);
  });

  it.each([
    'limit=0',
    'limit=1001',
    'limit=-1',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'after=-1',
    'after=x',
    'after=1e3',
    'after=9223372036854775808', // one past bigint: no note id can be that large
    'after=9999999999999999999',
  ])('answers 400 for %s', async (query) => {
    const response = await app().inject({ url: `/notes/?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it('streams the full list as one JSON array across batches', async () => {
    const instance = await appWithNotes(5);
    const response = await instance.inject({ url: '/notes/' });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json().map((note: { id: number }) => note.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('streams an empty list as []', async () => {
    expect((await app().inject({ url: '/notes/' })).body).toBe('[]');
  });
});

describe('POST /notes/ with an Idempotency-Key', () => {
  const post = (instance: ReturnType<typeof app>, key: string, contents: string) =>
    instance.inject({ method: 'POST', url: '/notes/', payload: { contents }, headers: { 'idempotency-key': key } });

  it('replays the first 201 for the same key and body, marked Idempotent-Replayed', async () => {
    const instance = app();
    const first = await post(instance, 'key-1', 'hello');
    const again = await post(instance, 'key-1', 'hello');

    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers 422 for the same key with another body', async () => {
    const instance = app();
    await post(instance, 'key-2', 'hello');
    const response = await post(instance, 'key-2', 'goodbye');
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toBe('idempotency_key_reused');
  });

  it.each([
    ['', 'empty'],
    ['a'.repeat(256), 'too long'],
    ['with space', 'a space'],
  ])('answers 400 for a key that is %s (%s)', async (key) => {
    const response = await post(app(), key, 'hello');
    expect(response.statusCode).toBe(400);
  });
});

describe('response hygiene', () => {
  it('sends no X-Powered-By and no server banner', async () => {
    const response = await app().inject({ url: '/' });
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.server).toBeUndefined();
  });

  it.each(['/', '/notes/', '/notes/1/', '/nowhere'])('forbids content sniffing on %s', async (url) => {
    expect((await app().inject({ url })).headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('errors of the framework and its plugins, in the one shape', () => {
  it('names a 403 from the docs page files forbidden', async () => {
    const response = await app().inject({ url: '/docs/static/a%00b' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'forbidden', message: expect.any(String) });
  });

  it.each(['gzip', 'br', 'deflate, gzip'])(
    'answers 415 for Content-Encoding %s, naming what it accepts',
    async (coding) => {
      const response = await app().inject({
        method: 'POST',
        url: '/notes/',
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        payload: '{"contents":"x"}',
      });
      expect(response.statusCode).toBe(415);
      expect(response.headers['accept-encoding']).toBe('identity');
      expect(response.json()).toEqual({ error: 'unsupported_content_encoding', message: expect.any(String) });
    },
  );

  it('takes Content-Encoding identity as no encoding', async () => {
    const response = await app().inject({
      method: 'POST',
      url: '/notes/',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
      payload: '{"contents":"x"}',
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers a statement timeout (SQLSTATE 57014) with 503 and Retry-After, not 500', async () => {
    const timedOut = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '57014' });
    const response = await app({ get: () => Promise.reject(timedOut) }).inject({ url: '/notes/1/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json().error).toBe('database_unavailable');
  });
});

describe('request logs', () => {
  function loggedApp(overrides: Partial<NotesRepository> = {}) {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const notes = { ...inMemoryNotes(), ...overrides };
    const instance = buildApp({ config, notes, readiness: async () => {}, logger });
    apps.push(instance);
    return { instance, lines };
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
        yield [{ id: 1, contents: 'one', creation_date: '2026-01-01T00:00:00.000Z' }];
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
      const response = await app().inject({ url: '/', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('generates an id when none is sent', async () => {
    const [a, b] = [await app().inject({ url: '/' }), await app().inject({ url: '/' })];
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('GET /metrics', () => {
  function measuredApp(apiToken?: string) {
    const { registry } = createMetrics(7);
    const instance = buildApp({
      config: { ...config, apiToken },
      notes: inMemoryNotes(),
      readiness: async () => {},
      metrics: registry,
    });
    apps.push(instance);
    return instance;
  }

  it('is absent unless metrics are enabled', async () => {
    expect((await app().inject({ url: '/metrics' })).statusCode).toBe(404);
  });

  it('counts requests by method, route pattern and status, with durations and process metrics', async () => {
    const instance = measuredApp();
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' } });
    await instance.inject({ url: '/notes/1/' });
    await instance.inject({ url: '/notes/2/' });

    const scrape = await instance.inject({ url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(scrape.body).toContain('http_requests_total{method="POST",route="/notes/",status="201"} 1');
    expect(scrape.body).toContain('http_requests_total{method="GET",route="/notes/:id/",status="200"} 1');
    expect(scrape.body).toContain('http_requests_total{method="GET",route="/notes/:id/",status="404"} 1');
    expect(scrape.body).toMatch(
      /http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/notes\/:id\/",status="200"\} 1/,
    );
    expect(scrape.body).toContain('notes_db_pool_size 7');
    expect(scrape.body).toContain('notes_db_calls_in_flight 0');
    expect(scrape.body).toContain('process_resident_memory_bytes');
  });

  it('needs the bearer token when API_TOKEN is set', async () => {
    const instance = measuredApp('t0ken');
    expect((await instance.inject({ url: '/metrics' })).statusCode).toBe(401);
    const scrape = await instance.inject({ url: '/metrics', headers: { authorization: 'Bearer t0ken' } });
    expect(scrape.statusCode).toBe(200);
  });
});

describe('load shedding', () => {
  function sheddingApp(shedding: Partial<typeof config.shedding>, overrides: Partial<NotesRepository> = {}) {
    const { registry } = createMetrics(7);
    const instance = buildApp({
      config: { ...config, shedding: { ...config.shedding, ...shedding } },
      notes: { ...inMemoryNotes(), ...overrides },
      readiness: async () => {},
      metrics: registry,
    });
    apps.push(instance);
    return instance;
  }
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
