// buildApp's own choices (src/http/app.ts), seen through what the app answers.
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../../../src/http/app.js';
import { sendError } from '../../../src/http/errors.js';
import type { Feature } from '../../../src/http/feature.js';
import { TEST_CONFIG, testApp } from '../../support/test-app.js';

describe('buildApp', () => {
  it('is not draining unless told: readiness 200, connections kept alive', async () => {
    const app = buildApp({ config: TEST_CONFIG, features: [], readiness: async () => {} });
    try {
      const response = await app.inject({ url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.connection).toBe('keep-alive');
    } finally {
      await app.close();
    }
  });

  it('takes the request id only from X-Request-Id, checked, never from Request-Id', async () => {
    const response = await testApp().inject({ url: '/', headers: { 'request-id': 'not mine' } });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const own = await testApp().inject({ url: '/', headers: { 'x-request-id': 'trace-7' } });
    expect(own.headers['x-request-id']).toBe('trace-7');
  });

  it('names each plugin of its own in Fastify’s plugin tree, so that none is looked for among the loaded modules', async () => {
    const app = testApp({ metrics: true });
    await app.ready();
    const named = [...app.printPlugins().matchAll(/^([│ ]*)[├└]─[┬─] (\S+)/gm)]
      .filter(([, , name]) => name !== 'bound')
      .map(([, indent = '', name]) => `${' '.repeat(indent.length / 2)}${name}`);
    expect(named).toEqual([
      '@fastify/under-pressure',
      '@fastify/swagger',
      'openapi-route',
      '@fastify/swagger-ui',
      ' fastifySwagger', // swagger-ui's own, unnamed
      '  @fastify/static',
      'health-routes',
      'feature',
      ' notes-routes',
      'metrics',
      'other-methods',
    ]);
  });

  it('serves the readiness probe’s body exactly', async () => {
    expect((await testApp().inject({ url: '/health/ready' })).json()).toEqual({ status: 'ready' });
    expect((await testApp().inject({ url: '/health/live' })).json()).toEqual({ status: 'live' });
  });

  it('serves the features it is handed, behind the bearer token, their error codes in the ApiError enum', async () => {
    // A feature the kit has never heard of: what a team adds beside notes/.
    const tags: Feature = {
      errors: { tag_taken: 409, not_found: 404 }, // a kit's code too: listed once
      async register(scope) {
        scope.post('/tags/', async (_request, reply) => sendError(reply, 409, 'tag_taken', 'that tag exists'));
      },
    };
    const app = buildApp({
      config: { ...TEST_CONFIG, apiToken: 'secret' },
      features: [tags],
      readiness: async () => {},
    });
    onTestFinished(() => app.close());
    expect((await app.inject({ method: 'POST', url: '/tags/' })).statusCode).toBe(401);
    const taken = await app.inject({ method: 'POST', url: '/tags/', headers: { authorization: 'Bearer secret' } });
    expect([taken.statusCode, taken.json()]).toEqual([409, { error: 'tag_taken', message: 'that tag exists' }]);
    // Notes is a feature like any other: not handed, not served.
    const notes = await app.inject({ url: '/notes/1/', headers: { authorization: 'Bearer secret' } });
    expect([notes.statusCode, notes.json().error]).toEqual([404, 'not_found']);
    const codes: string[] = (await app.inject({ url: '/openapi.json' })).json().components.schemas.ApiError.properties
      .error.enum;
    expect(codes).toContain('tag_taken');
    expect(codes).toContain('unauthorized');
    expect(codes).not.toContain('idempotency_key_reused');
    expect(new Set(codes).size).toBe(codes.length);
  });
});
