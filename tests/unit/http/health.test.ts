// GET / (what the tests and stacks wait on), /health/live and /health/ready.
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { testApp } from '../../support/test-app.js';

describe('health', () => {
  it('answers 200 up while the database answers', async () => {
    const response = await testApp().inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ app: 'notes-service', status: 'up' });
  });

  it('names its stack in GET / when STACK_ID is set, so a test run can tell it from a stranger', async () => {
    const response = await testApp({ stackId: 'native-3f2a' }).inject({ url: '/' });
    expect(response.json()).toEqual({ app: 'notes-service', status: 'up', stack: 'native-3f2a' });
  });

  it('answers 503 while the database does not, so no test starts against a broken service', async () => {
    const response = await testApp({
      readiness: async () => {
        throw new DatabaseUnavailableError('down');
      },
    }).inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe('database_unavailable');
    expect(response.headers['retry-after']).toBe('1');
  });

  it('answers /health/live even while the database is down', async () => {
    const down = async () => {
      throw new DatabaseUnavailableError('down');
    };
    expect((await testApp({ readiness: down }).inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await testApp({ readiness: down }).inject({ url: '/health/ready' })).statusCode).toBe(503);
  });
});

describe('while the service drains before it stops', () => {
  it.each(['/', '/health/ready'])('answers %s with 503 shutting_down and Retry-After', async (url) => {
    const response = await testApp({ draining: true }).inject({ url });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({ error: 'shutting_down', message: expect.stringContaining('draining') });
  });

  it('still serves notes and liveness, each answer closing its connection', async () => {
    const app = testApp({ draining: true });
    const created = await app.inject({ method: 'POST', url: '/notes/', payload: { contents: 'while draining' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.connection).toBe('close');
    const live = await app.inject({ url: '/health/live' });
    expect(live.statusCode).toBe(200);
  });
});
