// Prometheus metrics at /metrics (src/http/metrics.ts).
import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/test-app.js';

describe('GET /metrics', () => {
  it('is absent unless metrics are enabled', async () => {
    expect((await testApp().inject({ url: '/metrics' })).statusCode).toBe(404);
  });

  it('counts requests by method, route pattern and status, with durations and process metrics', async () => {
    const instance = testApp({ metrics: true });
    await instance.inject({ method: 'POST', url: '/notes/', payload: { contents: 'x' } });
    await instance.inject({ url: '/notes/1/' });
    await instance.inject({ url: '/notes/2/' });

    const scrape = await instance.inject({ url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(scrape.body).toContain('http_requests_total{method="POST",route="/notes/",status="201"} 1');
    expect(scrape.body).toContain('http_requests_total{method="GET",route="/notes/:id/",status="200"} 1');
    expect(scrape.body).toContain('http_requests_total{method="GET",route="/notes/:id/",status="404"} 1');
    expect(scrape.body).toMatch(
      /http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/notes\/:id\/",status="200"\} 1/,
    );
    expect(scrape.body).toContain('notes_db_pool_size 7');
    expect(scrape.body).toContain('notes_db_calls_in_flight 0');
    expect(scrape.body).toContain('process_resident_memory_bytes');
  });

  it('needs the bearer token when API_TOKEN is set', async () => {
    const instance = testApp({ metrics: true, apiToken: 't0ken' });
    expect((await instance.inject({ url: '/metrics' })).statusCode).toBe(401);
    const scrape = await instance.inject({ url: '/metrics', headers: { authorization: 'Bearer t0ken' } });
    expect(scrape.statusCode).toBe(200);
  });
});
