// HTTP only, against a running service: APP_URL, or the process the global setup
// started. The notes routes go through a client typed from the service's own
// OpenAPI document (openapi-fetch), every exchange checked against it. The
// service's database holds other notes: find your own, never count. The tests
// run at once, as the clients of a service do.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeAtOnce } from '../support/at-once.js';
import { apiClient, fetch } from '../support/contract.js';
import { authorization } from '../support/provided.js';
import { appUrl } from '../support/provided-service.js';
import { rawRequest, requestHead } from '../support/raw-http.js';
import { readTestSettings } from '../support/settings.js';

const url = appUrl();
const api = apiClient(url);

/** A note of this test's own, created through the typed client. */
async function create(contents = `a note ${randomUUID()}`) {
  const { data, response } = await api.POST('/notes/', { body: { contents } });
  if (!data) throw new Error(`create answered ${response.status}`);
  return { note: data, response };
}

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(`${url}/notes/`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describeAtOnce('the notes API over HTTP', () => {
  it('stores and retrieves a note', async () => {
    const contents = `a note ${randomUUID()}`;

    const { note, response } = await create(contents);
    expect(response.status).toBe(201);
    expect(note.contents).toBe(contents);

    const byId = await api.GET('/notes/{id}/', { params: { path: { id: String(note.id) } } });
    expect(byId.data).toEqual(note);

    const all = await api.GET('/notes/');
    expect(all.data?.find((listed) => listed.id === note.id)).toEqual(note);
  });

  it('points Location at the new note, and it resolves', async () => {
    const { note, response } = await create();
    expect(response.headers.get('location')).toBe(`/notes/${note.id}/`);
    const followed = await fetch(`${url}${response.headers.get('location')}`);
    expect(await followed.json()).toEqual(note);
  });

  it('serves /notes and /notes/:id without the trailing slash, and without redirecting', async () => {
    const { note } = await create();
    const byId = await fetch(`${url}/notes/${note.id}`, { redirect: 'manual' });
    const list = await fetch(`${url}/notes`, { redirect: 'manual' });
    expect([byId.status, list.status]).toEqual([200, 200]);
    expect(await byId.json()).toEqual(note);
  });

  it('returns creation_date as UTC ISO 8601 with milliseconds, from the database clock', async () => {
    const before = Date.now();
    const { note } = await create();
    expect(note.creation_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(note.creation_date) - before)).toBeLessThan(60_000);
  });

  it('lists notes ascending by id', async () => {
    await create();
    const ids = ((await api.GET('/notes/')).data ?? []).map((note) => note.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('pages through notes by id, following the Link header; past the last id, an empty page without one', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await create(`paged ${i} ${randomUUID()}`)).note);
    const [firstOfMine] = mine;
    if (!firstOfMine) throw new Error('no note created');
    const first = await api.GET('/notes/', { params: { query: { limit: '2', after: String(firstOfMine.id - 1) } } });
    expect(first.data?.[0]).toEqual(firstOfMine);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.response.headers.get('link') ?? '')?.[1];
    expect(next).toBe(`/notes/?limit=2&after=${first.data?.[1]?.id}`);
    const second = (await (await fetch(`${url}${next}`)).json()) as Array<{ id: number }>;
    expect(second.every((note) => note.id > (first.data?.[1]?.id ?? 0))).toBe(true);

    const beyond = await api.GET('/notes/', { params: { query: { after: '9007199254740991' } } });
    expect(beyond.data).toEqual([]);
    expect(beyond.response.headers.get('link')).toBeNull();
  });

  it('creates a note once per Idempotency-Key', async () => {
    const key = randomUUID();
    const contents = `keyed ${key}`;
    const send = (body: string) =>
      api.POST('/notes/', { body: { contents: body }, params: { header: { 'idempotency-key': key } } });
    const [first, second] = [await send(contents), await send(contents)];
    expect([first.response.status, second.response.status]).toEqual([201, 201]);
    expect(second.data).toEqual(first.data);
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();
    const reused = await send('other');
    expect(reused.response.status).toBe(422);
    expect(reused.error).toEqual({
      error: 'idempotency_key_reused',
      message: 'this Idempotency-Key was used with another body',
    });
  });

  it('answers 404 not_found for a note that does not exist, up to and past the last note id', async () => {
    for (const id of ['9007199254740991', '9007199254740992', '9223372036854775808']) {
      const { error, response } = await api.GET('/notes/{id}/', { params: { path: { id } } });
      expect(response.status).toBe(404);
      expect(error).toEqual({ error: 'not_found', message: `note ${id} does not exist` });
    }
  });

  it('answers HEAD of the full listing with its headers and no body', async () => {
    const response = await fetch(`${url}/notes/`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it('answers GET / with the readiness body, naming the stack it belongs to when it is one', async () => {
    const { data, response } = await api.GET('/');
    expect(response.status).toBe(200);
    const { stackId } = readTestSettings();
    expect(data).toEqual({ app: 'notes-service', status: 'up', ...(stackId ? { stack: stackId } : {}) });
  });
});

describeAtOnce('bad input over HTTP', () => {
  it.each([
    ['malformed JSON', 400, 'invalid_json', '{"contents": "x"', 'application/json'],
    ['a body that is not an object', 400, 'invalid_request', '[1, 2]', 'application/json'],
    ['missing contents', 400, 'invalid_request', '{"text": "x"}', 'application/json'],
    ['non-string contents', 400, 'invalid_request', '{"contents": true}', 'application/json'],
    ['empty contents', 400, 'invalid_request', '{"contents": ""}', 'application/json'],
    [
      'contents over NOTE_MAX_LENGTH',
      400,
      'invalid_request',
      JSON.stringify({ contents: 'x'.repeat(100_001) }),
      'application/json',
    ],
    ['a NUL character', 400, 'invalid_request', '{"contents": "nul \\u0000 here"}', 'application/json'],
    ['bytes that are not UTF-8', 400, 'invalid_utf8', Buffer.from([0x7b, 0xff, 0x7d]), 'application/json'],
    ['a wrong Content-Type', 415, 'unsupported_media_type', '{"contents": "x"}', 'text/plain'],
  ])('answers %s with a JSON %i %s', async (_case, status, error, body, contentType) => {
    const response = await fetch(`${url}/notes/`, {
      method: 'POST',
      body: body as string,
      headers: { 'content-type': contentType },
    });
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string; message: string };
    expect(Object.keys(answer)).toEqual(['error', 'message']);
    expect(answer.error).toBe(error);
  });

  it('says what is wrong with the contents', async () => {
    const { json } = await post('{"contents": ""}');
    expect(json).toEqual({ error: 'invalid_request', message: 'body/contents must not be empty' });
  });

  // Over a raw socket: the server answers before reading the body, and fetch
  // gives up on the write (EPIPE) instead of reading that answer. The server
  // closes the connection after a 413 either way; without a lingering close the
  // rest of the body arriving at a closed socket resets the connection, and the
  // reset discards the answer before the client reads it (most attempts lost it).
  it.each(['keep-alive', 'close'])(
    'answers every body over the limit with a JSON 413 (Connection: %s)',
    async (connection) => {
      const body = JSON.stringify({ contents: 'x'.repeat(2_000_000) });
      const { hostname, port } = new URL(url);
      const head = requestHead('POST', '/notes/', {
        Host: hostname,
        Connection: connection,
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        ...authorization(),
      });
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await rawRequest(Number(port), [head, body], 0, 10_000, hostname);
        expect(response.status).toBe(413);
        expect(JSON.parse(response.body)).toEqual({
          error: 'payload_too_large',
          message: 'Request body is too large',
        });
      }
    },
  );

  it.each([
    ['0', 400, 'invalid_request'],
    ['-1', 400, 'invalid_request'],
    ['abc', 400, 'invalid_request'],
    ['1.5', 400, 'invalid_request'],
    ['%ZZ', 400, 'invalid_url'],
    ['9'.repeat(200), 414, 'uri_too_long'],
  ])('answers the id %s with a JSON %i %s', async (id, status, error) => {
    const response = await fetch(`${url}/notes/${id}/`);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
  });

  it('names the last note id for a cursor past it', async () => {
    const { error, response } = await api.GET('/notes/', { params: { query: { after: '9007199254740992' } } });
    expect(response.status).toBe(400);
    expect(error).toEqual({
      error: 'invalid_request',
      message: 'querystring/after must be a note id, at most 9007199254740991',
    });
  });

  it('stores nothing for a rejected note', async () => {
    const marker = `rejected ${randomUUID()}`;
    await post(JSON.stringify({ contents: `${marker}\u0000` }));
    const all = (await api.GET('/notes/')).data ?? [];
    expect(all.some((note) => note.contents.startsWith(marker))).toBe(false);
  });
});

// The service the suite starts has a token of its own; a running one (APP_URL) is
// tested with API_TOKEN, when it was started with one: without, the reason is
// printed once instead of two silent skips.
const protectedDeployment = Boolean(authorization().authorization);
if (!protectedDeployment) {
  console.log(
    `external tier: the API_TOKEN tests skipped: ${url} was started without API_TOKEN, or API_TOKEN is not set here too`,
  );
}
// Only against a service that wants a token (describeAtOnce has no runIf); its tests at once too.
describe.runIf(protectedDeployment).concurrent('a service with API_TOKEN set, over HTTP', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
  ])('answers a /notes request with %s with a JSON 401 and stores nothing', async (_case, headers) => {
    const contents = `unauthorized ${randomUUID()}`;
    // globalThis.fetch: the contract helper would add the right token.
    const response = await globalThis.fetch(`${url}/notes/`, {
      method: 'POST',
      body: JSON.stringify({ contents }),
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="notes-service"');
    expect(await response.json()).toEqual({ error: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
    const all = (await api.GET('/notes/')).data ?? [];
    expect(all.some((note) => note.contents === contents)).toBe(false);
  });
});
