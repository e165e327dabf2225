// Methods a path doesn't serve: 405 with Allow; OPTIONS and HEAD (src/http/methods.ts).
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/app-instance.js';
import { collectRoutes } from '../../../src/http/methods.js';
import { testApp } from '../../support/test-app.js';

describe('methods', () => {
  it.each([
    ['PUT', '/notes/', 'GET, HEAD, POST, OPTIONS'],
    ['PUT', '/notes/1/', 'GET, HEAD, DELETE, OPTIONS'],
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

describe('collectRoutes', () => {
  it('adds nothing for a path that serves every method, and answers the others on a path that does not', async () => {
    const app = Fastify() as unknown as App;
    const otherMethods = collectRoutes(app);
    const every = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
    app.route({ method: [...every], url: '/all', handler: async (request) => ({ method: request.method }) });
    app.get('/some', async () => ({ ok: true }));
    app.register(otherMethods);
    try {
      for (const method of every.filter((m) => m !== 'HEAD')) {
        const response = await app.inject({ method, url: '/all' });
        expect([method, response.statusCode, response.json()]).toEqual([method, 200, { method }]);
      }
      const refused = await app.inject({ method: 'DELETE', url: '/some' });
      expect(refused.statusCode).toBe(405);
      expect(refused.headers.allow).toBe('GET, HEAD, OPTIONS');
    } finally {
      await app.close();
    }
  });
});
