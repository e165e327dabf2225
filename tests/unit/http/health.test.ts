// GET / (what the talk's tests wait on), /health/live and /health/ready.
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { testApp } from '../../support/test-app.js';

describe('health', () => {
  it('answers 200 up while the database answers', async () => {
    const response = await testApp().inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ app: 'notes-service', status: 'up' });
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
