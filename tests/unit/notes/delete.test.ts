// DELETE /notes/:id/ through Fastify's inject, on the in-memory repository: 200
// with the note, then it is gone from every read; again, 404; a keyed create's
// replay still answers the note it created.
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/app-instance.js';
import { sharedTestApp, testApp } from '../../support/test-app.js';

const create = async (app: App, contents: string, category = '') =>
  (await app.inject({ method: 'POST', url: '/notes/', payload: { contents, category } })).json();

describe('DELETE /notes/:id/', () => {
  const empty = sharedTestApp(); // holds no note, and no test here stores one in it
  it('answers 200 with the note, after which no read finds it and a second DELETE answers 404', async () => {
    const app = testApp();
    const kept = await create(app, 'kept', 'home');
    const gone = await create(app, 'gone', 'home');

    const deleted = await app.inject({ method: 'DELETE', url: `/notes/${gone.id}/` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual(gone);

    const missing = { error: 'not_found', message: `note ${gone.id} does not exist` };
    const read = await app.inject({ url: `/notes/${gone.id}/` });
    expect([read.statusCode, read.json()]).toEqual([404, missing]);
    expect((await app.inject({ url: '/notes/' })).json()).toEqual([kept]);
    expect((await app.inject({ url: '/notes/?limit=10' })).json()).toEqual([kept]);
    expect((await app.inject({ url: '/notes/?category=home' })).json()).toEqual([kept]);
    const again = await app.inject({ method: 'DELETE', url: `/notes/${gone.id}` }); // either spelling
    expect([again.statusCode, again.json()]).toEqual([404, missing]);
  });

  it('answers 404 for a note that never was, and for ids past the last one', async () => {
    for (const id of ['4242', '9007199254740992', '99999999999999999999']) {
      const response = await empty().inject({ method: 'DELETE', url: `/notes/${id}/` });
      expect([response.statusCode, response.json()]).toEqual([
        404,
        { error: 'not_found', message: `note ${id} does not exist` },
      ]);
    }
  });

  it.each(['0', '-1', 'abc', '1e3'])('answers 400 for the id %s', async (id) => {
    const response = await empty().inject({ method: 'DELETE', url: `/notes/${id}/` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', message: 'params/id must be a positive integer' });
  });

  it('needs the bearer token when API_TOKEN is set, like every notes route', async () => {
    const app = testApp({ apiToken: 'secret' });
    const note = (
      await app.inject({
        method: 'POST',
        url: '/notes/',
        headers: { authorization: 'Bearer secret' },
        payload: { contents: 'guarded' },
      })
    ).json();
    const refused = await app.inject({ method: 'DELETE', url: `/notes/${note.id}/` });
    expect([refused.statusCode, refused.json().error]).toEqual([401, 'unauthorized']);
    const wrong = await app.inject({
      method: 'DELETE',
      url: `/notes/${note.id}/`,
      headers: { authorization: 'Bearer other' },
    });
    expect(wrong.statusCode).toBe(401);
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/notes/${note.id}/`,
      headers: { authorization: 'Bearer secret' },
    });
    expect([deleted.statusCode, deleted.json()]).toEqual([200, note]);
  });

  it('leaves a keyed create’s replay answering the note it created, as the first request was answered', async () => {
    const app = testApp();
    const send = () =>
      app.inject({ method: 'POST', url: '/notes/', headers: { 'idempotency-key': 'k1' }, payload: { contents: 'z' } });
    const first = (await send()).json();
    expect((await app.inject({ method: 'DELETE', url: `/notes/${first.id}/` })).statusCode).toBe(200);
    const replay = await send();
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json()]).toEqual([201, 'true', first]);
    expect((await app.inject({ url: `/notes/${first.id}/` })).statusCode).toBe(404);
  });
});
