import { describe, expect, it } from 'vitest';
import { sharedTestApp, testApp } from '../../support/test-app.js';

describe('GET /notes/:id/', () => {
  const empty = sharedTestApp(); // holds no note
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
    const response = await empty().inject({ method: 'GET', url: '/notes/4242/' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: 'note 4242 does not exist' });
  });

  it.each(['0', '-1', 'abc', '1.5', '1e3', '0x10', '%20'])('answers 400 for the id %s', async (id) => {
    const response = await empty().inject({ method: 'GET', url: `/notes/${id}/` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message: 'params/id must be a positive integer' });
  });

  it.each(['9007199254740992', '9223372036854775808', '99999999999999999999'])(
    'answers 404 for %s, past the last note id',
    async (id) => {
      const response = await empty().inject({ method: 'GET', url: `/notes/${id}/` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found', message: `note ${id} does not exist` });
    },
  );
});

describe('GET /notes/', () => {
  const empty = sharedTestApp(); // holds no note
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

  const LIMIT = 'querystring/limit must be a whole number from 1 to 1000';
  const AFTER = 'querystring/after must be a note id (a whole number)';
  const PAST_THE_LAST = 'querystring/after must be a note id, at most 9007199254740991';
  it.each([
    ['limit=0', LIMIT],
    ['limit=1001', LIMIT],
    ['limit=-1', LIMIT],
    ['limit=abc', LIMIT],
    ['limit=1.5', LIMIT],
    ['limit=', LIMIT],
    ['after=-1', AFTER],
    ['after=x', AFTER],
    ['after=1e3', AFTER],
    ['after=9223372036854775808', PAST_THE_LAST],
    ['after=9999999999999999999', PAST_THE_LAST],
  ])('answers 400 for %s, saying what is wrong', async (query, message) => {
    const response = await empty().inject({ url: `/notes/?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message });
  });

  it('names the last note id when after is past it', async () => {
    const response = await empty().inject({ url: '/notes/?after=9007199254740992' });
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
    expect((await empty().inject({ url: '/notes/' })).body).toBe('[]');
  });
});
