// The notes routes through Fastify's inject: the real buildApp with the in-memory
// repository: what each request answers, and every way a request can be wrong.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/app-instance.js';
import { NoteIdsExhaustedError } from '../../../src/notes/repository.js';
import { testApp } from '../../support/test-app.js';

describe('POST /notes/', () => {
  it('creates a note: 201, the note, and its Location', async () => {
    const contents = `a note ${randomUUID()}`;
    const response = await testApp().inject({ method: 'POST', url: '/notes/', payload: { contents } });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 1, contents, creation_date: expect.any(String) });
    expect(response.headers.location).toBe('/notes/1/');
  });

  it('answers the same without the trailing slash, with no redirect', async () => {
    const response = await testApp().inject({ method: 'POST', url: '/notes', payload: { contents: 'x' } });
    expect(response.statusCode).toBe(201);
  });

  it('ignores unknown fields instead of storing them', async () => {
    const response = await testApp().inject({
      method: 'POST',
      url: '/notes/',
      payload: { contents: 'x', admin: true },
    });
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
    const response = await testApp().inject({
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

  it('names the type it takes, and the one it got, in a 415', async () => {
    const response = await testApp().inject({
      method: 'POST',
      url: '/notes/',
      payload: 'contents=hello',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.json()).toEqual({
      error: 'unsupported_media_type',
      message: 'the body must be application/json, got application/x-www-form-urlencoded',
    });
  });

  it('answers 507 insufficient_storage once no note id is left, with or without a key, and logs it', async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const exhausted = async () => {
      throw new NoteIdsExhaustedError('no note id is left: ids end at 9007199254740991');
    };
    const instance = testApp({ notes: { create: exhausted, createOnce: exhausted }, logLines });
    for (const headers of [{}, { 'idempotency-key': 'k' }]) {
      const response = await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' }, headers });
      expect(response.statusCode).toBe(507);
      expect(response.json()).toEqual({
        error: 'insufficient_storage',
        message: 'no note id is left: ids end at 9007199254740991',
      });
    }
    const logged = logLines.filter((line) => line.msg === 'no note id is left');
    expect(logged.map((line) => [line.level, (line.err as { type: string }).type])).toEqual([
      [50, 'NoteIdsExhaustedError'],
      [50, 'NoteIdsExhaustedError'],
    ]);
  });

  it('answers any other failure of a create through the service-wide map: a bug is a bare 500', async () => {
    const instance = testApp({ notes: { create: () => Promise.reject(new TypeError('a bug')) } });
    const response = await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal_error', message: 'internal server error' });
  });

  it.each([
    ['empty contents', '{"contents": ""}', 'body/contents must not be empty'],
    ['numeric contents', '{"contents": 5}', 'body/contents must be a string'],
    [
      'a NUL character',
      '{"contents": "a\\u0000b"}',
      'body/contents must not contain NUL characters or unpaired surrogates',
    ],
    [
      'an unpaired surrogate',
      '{"contents": "\\udc00"}',
      'body/contents must not contain NUL characters or unpaired surrogates',
    ],
    ['no contents', '{}', "body must have required property 'contents'"],
  ])('says what is wrong with %s', async (_case, payload, message) => {
    const response = await testApp().inject({
      method: 'POST',
      url: '/notes/',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.json()).toEqual({ error: 'invalid_request', message });
  });

  it.each([
    { name: '25 emoji: 50 code units', contents: '😀'.repeat(25), status: 201 },
    { name: '25 emoji and a letter: 51 code units', contents: `${'😀'.repeat(25)}a`, status: 400 },
    { name: '26 emoji: 26 code points, but 52 code units', contents: '😀'.repeat(26), status: 400 },
  ])('counts NOTE_MAX_LENGTH (50) in UTF-16 code units: $name → $status', async ({ contents, status }) => {
    const response = await testApp().inject({ method: 'POST', url: '/notes/', payload: { contents } });
    expect(response.statusCode).toBe(status);
    if (status === 400) expect(response.json().message).toMatch(/at most 50 characters long \(UTF-16 code units/);
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters, emoji counted as UTF-16 code units', async () => {
    const contents = `${'é'.repeat(48)}😀`;
    const response = await testApp().inject({ method: 'POST', url: '/notes/', payload: { contents } });
    expect(response.statusCode).toBe(201);
    expect(response.json().contents).toBe(contents);
  });
});

describe('GET /notes/:id/', () => {
  it('returns a stored note under both spellings', async () => {
    const instance = testApp();
    const created = (await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' } })).json();

    for (const url of [`/notes/${created.id}/`, `/notes/${created.id}`]) {
      const response = await instance.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
    }
  });

  it('answers 404 not_found for a note that does not exist', async () => {
    const response = await testApp().inject({ method: 'GET', url: '/notes/4242/' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: 'note 4242 does not exist' });
  });

  it.each(['0', '-1', 'abc', '1.5', '1e3', '0x10', '%20'])('answers 400 for the id %s', async (id) => {
    const response = await testApp().inject({ method: 'GET', url: `/notes/${id}/` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message: 'params/id must be a positive integer' });
  });

  it.each(['9007199254740992', '9223372036854775808', '99999999999999999999'])(
    'answers 404 for %s, past the last note id',
    async (id) => {
      const response = await testApp().inject({ method: 'GET', url: `/notes/${id}/` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found', message: `note ${id} does not exist` });
    },
  );
});

describe('GET /notes/', () => {
  it('lists every note under both spellings', async () => {
    const instance = testApp();
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'one' } });
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'two' } });

    for (const url of ['/notes/', '/notes']) {
      const response = await instance.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json().map((note: { contents: string }) => note.contents)).toEqual(['one', 'two']);
    }
  });

  async function appWithNotes(count: number) {
    const instance = testApp();
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
    'after=9223372036854775808',
    'after=9999999999999999999',
  ])('answers 400 for %s', async (query) => {
    const response = await testApp().inject({ url: `/notes/?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it.each([
    ['limit=0', 'querystring/limit must be a whole number from 1 to 1000'],
    ['after=x', 'querystring/after must be a note id (a whole number)'],
  ])('says what is wrong with %s', async (query, message) => {
    const response = await testApp().inject({ url: `/notes/?${query}` });
    expect(response.json()).toEqual({ error: 'invalid_request', message });
  });

  it('names the last note id when after is past it', async () => {
    const response = await testApp().inject({ url: '/notes/?after=9007199254740992' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      message: 'querystring/after must be a note id, at most 9007199254740991',
    });
  });

  it('pages from the last note id on: an empty page, no Link', async () => {
    const response = await (await appWithNotes(1)).inject({ url: '/notes/?after=9007199254740991' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
    expect(response.headers.link).toBeUndefined();
  });

  it('answers HEAD of the full listing with its headers, without reading a note', async () => {
    let listings = 0;
    const instance = testApp({
      notes: {
        async *listAll() {
          listings++;
          yield [];
        },
      },
    });
    const response = await instance.inject({ method: 'HEAD', url: '/notes/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toBe('');
    expect(listings).toBe(0);
  });

  it('answers HEAD of a page with the Link the page would carry', async () => {
    const instance = await appWithNotes(3);
    const response = await instance.inject({ method: 'HEAD', url: '/notes/?limit=1&after=0' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.link).toBe('</notes/?limit=1&after=1>; rel="next"');
    expect(response.body).toBe('');
  });

  it('streams the full list as one JSON array across batches', async () => {
    const instance = await appWithNotes(5);
    const response = await instance.inject({ url: '/notes/' });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json().map((note: { id: number }) => note.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('streams an empty list as []', async () => {
    expect((await testApp().inject({ url: '/notes/' })).body).toBe('[]');
  });
});

describe('POST /notes/ with an Idempotency-Key', () => {
  const post = (instance: App, key: string, contents: string) =>
    instance.inject({ method: 'POST', url: '/notes/', payload: { contents }, headers: { 'idempotency-key': key } });

  it('replays the first 201 for the same key and body, marked Idempotent-Replayed', async () => {
    const instance = testApp();
    const first = await post(instance, 'key-1', 'hello');
    const again = await post(instance, 'key-1', 'hello');

    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers 422 for the same key with another body', async () => {
    const instance = testApp();
    await post(instance, 'key-2', 'hello');
    const response = await post(instance, 'key-2', 'goodbye');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: 'idempotency_key_reused',
      message: 'this Idempotency-Key was used with another body',
    });
  });

  it.each([
    ['', 'empty'],
    ['a'.repeat(256), 'too long'],
    ['with space', 'a space'],
  ])('answers 400 for a key that is %s (%s)', async (key) => {
    const response = await post(testApp(), key, 'hello');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      message: 'headers/idempotency-key must be 1 to 255 visible ASCII characters',
    });
  });
});
