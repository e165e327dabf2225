// What every answer carries and every request meets before a route
// (src/http/protocol.ts): no banner, no content sniffing, no body encoding.
import { describe, expect, it } from 'vitest';
import { sharedTestApp } from '../../support/test-app.js';

describe('HTTP rules', () => {
  const app = sharedTestApp(); // the tests look only at each answer
  it('sends no X-Powered-By and no server banner', async () => {
    const response = await app().inject({ url: '/' });
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.server).toBeUndefined();
  });

  it.each(['/', '/notes/', '/notes/1/', '/nowhere'])('forbids content sniffing on %s', async (url) => {
    expect((await app().inject({ url })).headers['x-content-type-options']).toBe('nosniff');
  });

  it.each(['gzip', 'br', 'deflate, gzip', 'GZIP', 'identity, gzip'])(
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
      expect(response.json()).toEqual({
        error: 'unsupported_content_encoding',
        message: `Content-Encoding ${coding} is not supported; send the body uncompressed`,
      });
    },
  );

  it.each(['identity', 'IDENTITY', ' identity '])('takes Content-Encoding %j as no encoding', async (coding) => {
    const response = await app().inject({
      method: 'POST',
      url: '/notes/',
      headers: { 'content-type': 'application/json', 'content-encoding': coding },
      payload: '{"contents":"x"}',
    });
    expect(response.statusCode).toBe(201);
  });
});
