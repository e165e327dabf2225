// HTTP only, against a running service: APP_URL, or the process the global setup
// started. The service's database holds other notes: find your own, never count.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fetch } from '../support/contract.js';
import { rawRequest, requestHead } from '../support/raw-http.js';
import { appUrl, authorization } from '../support/settings.js';

const url = appUrl();

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(`${url}/notes/`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe('the notes API over HTTP', () => {
  it('stores and retrieves a note (the talk’s test_store_and_retrieve_note)', async () => {
    const contents = `a note ${randomUUID()}`;

    const created = await post(JSON.stringify({ contents }));
    expect(created.response.status).toBe(201);
    expect(created.json.contents).toBe(contents);
    const id = created.json.id;

    const byId = await fetch(`${url}/notes/${id}/`);
    expect(((await byId.json()) as { contents: string }).contents).toBe(contents);

    const all = (await (await fetch(`${url}/notes/`)).json()) as Array<{ id: number; contents: string }>;
    expect(all.find((note) => note.id === id)?.contents).toBe(contents);
  });

  it('points Location at the new note, and it resolves', async () => {
    const { response, json } = await post(JSON.stringify({ contents: `located ${randomUUID()}` }));
    expect(response.headers.get('location')).toBe(`/notes/${json.id}/`);
    const followed = await fetch(`${url}${response.headers.get('location')}`);
    expect(await followed.json()).toEqual(json);
  });

  it('serves /notes and /notes/:id without the trailing slash, and without redirecting', async () => {
    const { json } = await post(JSON.stringify({ contents: `slashless ${randomUUID()}` }));
    const byId = await fetch(`${url}/notes/${json.id}`, { redirect: 'manual' });
    const list = await fetch(`${url}/notes`, { redirect: 'manual' });
    expect([byId.status, list.status]).toEqual([200, 200]);
    expect(await byId.json()).toEqual(json);
  });

  it('returns creation_date as UTC ISO 8601 with milliseconds', async () => {
    const { json } = await post(JSON.stringify({ contents: `dated ${randomUUID()}` }));
    expect(json.creation_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('lists notes ascending by id', async () => {
    await post(JSON.stringify({ contents: `ordered ${randomUUID()}` }));
    const ids = ((await (await fetch(`${url}/notes/`)).json()) as Array<{ id: number }>).map((note) => note.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('pages through notes by id, following the Link header', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(Number((await post(JSON.stringify({ contents: `paged ${randomUUID()}` }))).json.id));
    const first = await fetch(`${url}/notes/?limit=2&after=${(ids[0] ?? 1) - 1}`);
    const firstPage = (await first.json()) as Array<{ id: number }>;
    expect(firstPage[0]?.id).toBe(ids[0]);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBe(`/notes/?limit=2&after=${firstPage[1]?.id}`);
    const secondPage = (await (await fetch(`${url}${next}`)).json()) as Array<{ id: number }>;
    expect(secondPage.every((note) => note.id > (firstPage[1]?.id ?? 0))).toBe(true);
  });

  it('creates a note once per Idempotency-Key', async () => {
    const key = randomUUID();
    const body = JSON.stringify({ contents: `keyed ${key}` });
    const send = (payload: string) =>
      fetch(`${url}/notes/`, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
      });
    const [first, second] = [await send(body), await send(body)];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await second.json()).toEqual(await first.json());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await send(JSON.stringify({ contents: 'other' }))).status).toBe(422);
  });

  it('answers 404 not_found for a note that does not exist', async () => {
    const response = await fetch(`${url}/notes/9223372036854775807/`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('answers GET / with the readiness body', async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ app: 'notes-service', status: 'up' });
  });
});

describe('bad input over HTTP', () => {
  it.each([
    ['malformed JSON', 400, '{"contents": "x"', 'application/json'],
    ['a body that is not an object', 400, '[1, 2]', 'application/json'],
    ['missing contents', 400, '{"text": "x"}', 'application/json'],
    ['non-string contents', 400, '{"contents": true}', 'application/json'],
    ['empty contents', 400, '{"contents": ""}', 'application/json'],
    ['contents over NOTE_MAX_LENGTH', 400, JSON.stringify({ contents: 'x'.repeat(100_001) }), 'application/json'],
    ['a NUL character', 400, '{"contents": "nul \\u0000 here"}', 'application/json'],
    ['a wrong Content-Type', 415, '{"contents": "x"}', 'text/plain'],
  ])('answers %s with a JSON %i', async (_case, status, body, contentType) => {
    const { response, json } = await post(body, contentType);
    expect(response.status).toBe(status);
    expect(json).toEqual({ error: expect.any(String), message: expect.any(String) });
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
        expect(JSON.parse(response.body)).toEqual({ error: 'payload_too_large', message: expect.any(String) });
      }
    },
  );

  it.each([
    ['0', 400],
    ['-1', 400],
    ['abc', 400],
    ['1.5', 400],
    ['99999999999999999999', 404],
  ])('answers the id %s with a JSON %i', async (id, status) => {
    const response = await fetch(`${url}/notes/${id}/`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('stores nothing for a rejected note', async () => {
    const marker = `rejected ${randomUUID()}`;
    await post(JSON.stringify({ contents: `${marker}\u0000` }));
    const all = (await (await fetch(`${url}/notes/`)).json()) as Array<{ contents: string }>;
    expect(all.some((note) => note.contents.startsWith(marker))).toBe(false);
  });
});

// Only against a deployment with API_TOKEN set (the unit tier covers the rule itself).
describe.runIf(authorization().authorization)('a service with API_TOKEN set, over HTTP', () => {
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
    expect(await response.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
    const all = (await (await fetch(`${url}/notes/`)).json()) as Array<{ contents: string }>;
    expect(all.some((note) => note.contents === contents)).toBe(false);
  });
});
