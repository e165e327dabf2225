// buildApp's own choices (src/http/app.ts), seen through what the app answers.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/http/app.js';
import { inMemoryNotes } from '../../support/in-memory-notes.js';
import { TEST_CONFIG, testApp } from '../../support/test-app.js';

describe('buildApp', () => {
  it('is not draining unless told: readiness 200, connections kept alive', async () => {
    const app = buildApp({ config: TEST_CONFIG, notes: inMemoryNotes(), readiness: async () => {} });
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

  it('serves the readiness probe’s body exactly', async () => {
    expect((await testApp().inject({ url: '/health/ready' })).json()).toEqual({ status: 'ready' });
    expect((await testApp().inject({ url: '/health/live' })).json()).toEqual({ status: 'live' });
  });
});
