// Categories through Fastify's inject, on the in-memory repository: a create
// carries one ("" when none is sent), and both listing forms filter by
// ?category=, pages keeping it in their Link.
import { describe, expect, it } from 'vitest';
import { BODY_BEYOND_CONTENTS } from '../../../src/config.js';
import type { App } from '../../../src/http/app-instance.js';
import { CATEGORY_MAX_LENGTH } from '../../../src/notes/schemas.js';
import { sharedTestApp, TEST_CONFIG, testApp } from '../../support/test-app.js';

const create = async (app: App, payload: object) => {
  const response = await app.inject({ method: 'POST', url: '/notes/', payload });
  expect(response.statusCode).toBe(201);
  return response.json();
};

describe('a note’s category', () => {
  const refusing = sharedTestApp(); // for the creates it refuses, which store nothing
  it('is stored and returned as sent, and is "" when none is sent', async () => {
    const app = testApp();
    const filed = await create(app, { contents: 'milk', category: 'errands' });
    expect(filed).toEqual({ id: 1, contents: 'milk', category: 'errands', creation_date: expect.any(String) });
    expect((await create(app, { contents: 'loose' })).category).toBe('');
    expect((await app.inject({ url: '/notes/1/' })).json()).toEqual(filed);
  });

  it(`takes ${CATEGORY_MAX_LENGTH} characters, emoji and all`, async () => {
    const category = `${'k'.repeat(CATEGORY_MAX_LENGTH - 2)}🗂`;
    expect((await create(testApp(), { contents: 'x', category })).category).toBe(category);
  });

  it.each([
    [
      'longer than the bound',
      'k'.repeat(CATEGORY_MAX_LENGTH + 1),
      `must be at most ${CATEGORY_MAX_LENGTH} characters long`,
    ],
    ['a number', 7, 'must be a string'],
    ['null', null, 'must be a string'],
    ['a NUL character', 'a\u0000b', 'must not contain NUL characters or unpaired surrogates'],
    ['an unpaired surrogate', 'a\ud800b', 'must not contain NUL characters or unpaired surrogates'],
  ])('is refused when %s: 400 invalid_request naming body/category', async (_case, category, message) => {
    const response = await refusing().inject({ method: 'POST', url: '/notes/', payload: { contents: 'x', category } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message: `body/category ${message}` });
  });

  it('fits, longest and fully escaped, with the longest contents in the smallest body limit the config takes', async () => {
    const smallest = 6 * TEST_CONFIG.noteMaxLength + BODY_BEYOND_CONTENTS;
    const app = testApp({ limits: { bodyLimitBytes: smallest } });
    // \u0001 is stored as sent and escaped as six bytes: the longest a unit gets in JSON.
    const payload = JSON.stringify({
      contents: '\u0001'.repeat(TEST_CONFIG.noteMaxLength),
      category: '\u0001'.repeat(CATEGORY_MAX_LENGTH),
    });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(6 * TEST_CONFIG.noteMaxLength + 6 * CATEGORY_MAX_LENGTH);
    const response = await app.inject({
      method: 'POST',
      url: '/notes/',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(201);
  });

  it('makes a replayed create with another category a reused key: 422', async () => {
    const app = testApp();
    const send = (category: string) =>
      app.inject({
        method: 'POST',
        url: '/notes/',
        headers: { 'idempotency-key': 'filed-once' },
        payload: { contents: 'same', category },
      });
    expect((await send('home')).statusCode).toBe(201);
    const replay = await send('home');
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json().category]).toEqual([
      201,
      'true',
      'home',
    ]);
    expect((await send('work')).json()).toEqual({
      error: 'idempotency_key_reused',
      message: 'this Idempotency-Key was used with another body',
    });
  });
});

describe('GET /notes/?category=', () => {
  const refusing = sharedTestApp(); // for the listings it refuses
  async function filed() {
    const app = testApp();
    for (const [contents, category] of [
      ['a', 'home'],
      ['b', 'work'],
      ['c', 'home'],
      ['d', ''],
      ['e', 'home'],
      ['f', 'a b&c/d'],
    ]) {
      await create(app, { contents, category });
    }
    return app;
  }
  const contentsOf = (body: Array<{ contents: string }>) => body.map((note) => note.contents);

  it('streams only that category’s notes, and "" those without one', async () => {
    const app = await filed();
    expect(contentsOf((await app.inject({ url: '/notes/?category=home' })).json())).toEqual(['a', 'c', 'e']);
    expect(contentsOf((await app.inject({ url: '/notes/?category=' })).json())).toEqual(['d']);
    expect((await app.inject({ url: '/notes/?category=none-such' })).json()).toEqual([]);
    expect(contentsOf((await app.inject({ url: '/notes/' })).json())).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('pages through only that category, the Link keeping it, encoded', async () => {
    const app = await filed();
    const first = await app.inject({ url: '/notes/?limit=2&category=home' });
    expect(contentsOf(first.json())).toEqual(['a', 'c']);
    expect(first.headers.link).toBe('</notes/?limit=2&after=3&category=home>; rel="next"');
    const second = await app.inject({ url: '/notes/?limit=2&after=3&category=home' });
    expect(contentsOf(second.json())).toEqual(['e']);
    expect(second.headers.link).toBeUndefined();

    const odd = await app.inject({ url: '/notes/?limit=1&after=0&category=a%20b%26c%2Fd' });
    expect(contentsOf(odd.json())).toEqual(['f']);
    expect(odd.headers.link).toBeUndefined();
    const shared = await app.inject({ url: `/notes/?limit=1&category=${encodeURIComponent('a b&c/d')}` });
    expect(contentsOf(shared.json())).toEqual(['f']);
    const loose = await app.inject({ url: '/notes/?limit=1&category=' });
    expect([contentsOf(loose.json()), loose.headers.link]).toEqual([['d'], undefined]);
  });

  it('keeps the empty category in the Link too: the next page is of the notes without one as well', async () => {
    const app = testApp();
    for (const contents of ['x', 'y']) await create(app, { contents });
    await create(app, { contents: 'z', category: 'home' });
    const page = await app.inject({ url: '/notes/?limit=1&category=' });
    expect(page.headers.link).toBe('</notes/?limit=1&after=1&category=>; rel="next"');
    const next = await app.inject({ url: '/notes/?limit=1&after=1&category=' });
    expect([contentsOf(next.json()), next.headers.link]).toEqual([['y'], undefined]);
  });

  it('keeps an encoded category encoded in the Link it answers with', async () => {
    const app = testApp();
    for (const contents of ['x', 'y']) await create(app, { contents, category: 'a b&c' });
    const page = await app.inject({ url: '/notes/?limit=1&category=a%20b%26c' });
    expect(page.headers.link).toBe('</notes/?limit=1&after=1&category=a%20b%26c>; rel="next"');
  });

  it('refuses a category longer than the bound: 400 invalid_request naming querystring/category', async () => {
    const response = await refusing().inject({ url: `/notes/?category=${'k'.repeat(CATEGORY_MAX_LENGTH + 1)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      message: `querystring/category must be at most ${CATEGORY_MAX_LENGTH} characters long`,
    });
  });
});
