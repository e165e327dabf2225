// The one map from failure to HTTP (src/http/errors.ts): the database away, a bug,
// an unknown route, the framework's own errors, all in the one shape.
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/test-app.js';

describe('the error map', () => {
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
    const response = await testApp().inject({ method: 'GET', url: '/nowhere' });
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
    const response = await testApp().inject({ url: '/docs/static/a%00b' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'forbidden', message: expect.any(String) });
  });
});
