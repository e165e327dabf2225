// Methods a path doesn't serve: 405 with Allow; OPTIONS and HEAD (src/http/methods.ts).
import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/test-app.js';

describe('methods', () => {
  it.each([
    ['PUT', '/notes/', 'GET, HEAD, POST, OPTIONS'],
    ['DELETE', '/notes/1/', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/notes', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/', 'GET, HEAD, OPTIONS'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const response = await testApp().inject({ method, url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.json()).toEqual({ error: 'method_not_allowed', message: expect.stringContaining(method) });
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const response = await testApp().inject({ method: 'OPTIONS', url: '/notes/' });
    expect(response.statusCode).toBe(204);
    expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await testApp().inject({ method: 'HEAD', url: '/notes/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });
});
