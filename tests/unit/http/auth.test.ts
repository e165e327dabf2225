// The optional bearer token (API_TOKEN, src/http/auth.ts).
import { describe, expect, it } from 'vitest';
import { sharedTestApp } from '../../support/test-app.js';

describe('API_TOKEN', () => {
  const token = 'sëcret-token';
  const guarded = sharedTestApp({ apiToken: token });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer wrong'],
    ['a longer token with the right prefix', `Bearer ${token}x`],
    ['another scheme', `Basic ${token}`],
    ['the scheme not at the start', `NotBearer ${token}`],
    ['no token after the scheme', 'Bearer '],
  ])('answers 401 on /notes for %s', async (_case, authorization) => {
    const response = await guarded().inject({
      method: 'GET',
      url: '/notes/',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="notes-service"');
    expect(response.json()).toEqual({ error: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
  });

  it.each(['Bearer', 'bearer', 'BEARER'])('takes the scheme %s whatever its case (RFC 9110 §11.1)', async (scheme) => {
    const response = await guarded().inject({
      url: '/notes/',
      headers: { authorization: `${scheme} ${token}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('lets the right bearer token through', async () => {
    const response = await guarded().inject({
      method: 'POST',
      url: '/notes/',
      payload: { contents: 'x' },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(201);
  });

  it.each(['/', '/health/live', '/health/ready'])('keeps %s open', async (url) => {
    const response = await guarded().inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
  });
});
