// The notes routes' creates through Fastify's inject: the real buildApp with the
// in-memory repository: what POST /notes/ answers, with and without an
// Idempotency-Key, and every way its request can be wrong.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/app-instance.js';
import { NoteIdsExhaustedError } from '../../../src/notes/repository.js';
import { sharedTestApp, testApp } from '../../support/test-app.js';

const JSON_TYPE = 'application/json';

describe('POST /notes/', () => {
  const refusing = sharedTestApp(); // for the requests it refuses, which store nothing
  it('creates a note: 201, the note, and its Location', async () => {
    const contents = `a note ${randomUUID()}`;
    const response = await testApp().inject({ method: 'POST', url: '/notes/', payload: { contents } });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 1, contents, category: '', creation_date: expect.any(String) });
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

  const TOO_LONG = 'body/contents must be at most 50 characters long (UTF-16 code units: an emoji counts 2)';
  const NUL_OR_SURROGATE = 'body/contents must not contain NUL characters or unpaired surrogates';
  it.each([
    [
      'malformed JSON',
      400,
      'invalid_json',
      '{"contents": ',
      JSON_TYPE,
      'the body is not valid JSON: Unexpected end of JSON input',
    ],
    ['an empty JSON body', 400, 'invalid_json', '', JSON_TYPE, 'the body is empty'],
    ['an array', 400, 'invalid_request', '["x"]', JSON_TYPE, 'body must be object'],
    ['null', 400, 'invalid_request', 'null', JSON_TYPE, 'body must be object'],
    ['a string', 400, 'invalid_request', '"x"', JSON_TYPE, 'body must be object'],
    ['no contents', 400, 'invalid_request', '{}', JSON_TYPE, "body must have required property 'contents'"],
    ['numeric contents', 400, 'invalid_request', '{"contents": 5}', JSON_TYPE, 'body/contents must be a string'],
    ['null contents', 400, 'invalid_request', '{"contents": null}', JSON_TYPE, 'body/contents must be a string'],
    ['object contents', 400, 'invalid_request', '{"contents": {"a": 1}}', JSON_TYPE, 'body/contents must be a string'],
    ['empty contents', 400, 'invalid_request', '{"contents": ""}', JSON_TYPE, 'body/contents must not be empty'],
    [
      'contents over NOTE_MAX_LENGTH',
      400,
      'invalid_request',
      JSON.stringify({ contents: 'a'.repeat(51) }),
      JSON_TYPE,
      TOO_LONG,
    ],
    ['a NUL character', 400, 'invalid_request', '{"contents": "a\\u0000b"}', JSON_TYPE, NUL_OR_SURROGATE],
    ['an unpaired high surrogate', 400, 'invalid_request', '{"contents": "a\\ud800b"}', JSON_TYPE, NUL_OR_SURROGATE],
    ['an unpaired low surrogate', 400, 'invalid_request', '{"contents": "\\udc00"}', JSON_TYPE, NUL_OR_SURROGATE],
    [
      'a __proto__ key',
      400,
      'invalid_json',
      '{"__proto__": {"x": 1}, "contents": "a"}',
      JSON_TYPE,
      'the body is not valid JSON: Object contains forbidden prototype property',
    ],
    [
      'plain text',
      415,
      'unsupported_media_type',
      'hello',
      'text/plain',
      'the body must be application/json, got text/plain',
    ],
    [
      'a form',
      415,
      'unsupported_media_type',
      'contents=hello',
      'application/x-www-form-urlencoded',
      'the body must be application/json, got application/x-www-form-urlencoded',
    ],
    [
      'a body over BODY_LIMIT_BYTES',
      413,
      'payload_too_large',
      JSON.stringify({ contents: 'a'.repeat(2000) }),
      JSON_TYPE,
      'Request body is too large',
    ],
  ])(
    'rejects %s with a JSON %i %s, saying what is wrong',
    async (_case, status, error, payload, contentType, message) => {
      const response = await refusing().inject({
        method: 'POST',
        url: '/notes/',
        payload,
        headers: { 'content-type': contentType },
      });

      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({ error, message });
      expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    },
  );

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

describe('POST /notes/ with an Idempotency-Key', () => {
  const refusing = sharedTestApp(); // for the keys it refuses, which store nothing
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
    const response = await post(refusing(), key, 'hello');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      message: 'headers/idempotency-key must be 1 to 255 visible ASCII characters',
    });
  });
});
