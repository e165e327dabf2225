// Prometheus metrics at /metrics (src/http/metrics.ts).
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/http/metrics.js';
import { testApp } from '../../support/test-app.js';

describe('GET /metrics', () => {
  it('is absent unless metrics are enabled, and says which setting serves them', async () => {
    const response = await testApp().inject({ url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'not_found',
      message: 'no route for GET /metrics: metrics are off, METRICS_ENABLED=true serves them',
    });
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

describe('createMetrics', () => {
  const scrape = (metrics: ReturnType<typeof createMetrics>) => metrics.registry.metrics();

  it('counts a database call in flight while it runs, and not after, whether it succeeds or fails', async () => {
    const metrics = createMetrics(7);
    let release = () => {};
    const call = metrics.trackDatabaseCall(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('row');
        }),
    );
    expect(await scrape(metrics)).toMatch(/^notes_db_calls_in_flight 1$/m);
    release();
    expect(await call).toBe('row');
    await expect(metrics.trackDatabaseCall(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await scrape(metrics)).toMatch(/^notes_db_calls_in_flight 0$/m);
  });

  it('tells the pool size', async () => {
    expect(await scrape(createMetrics(7))).toMatch(/^notes_db_pool_size 7$/m);
  });

  it('records each statement’s batch size by kind, in powers-of-two buckets up to 256', async () => {
    const metrics = createMetrics(7);
    metrics.statements.batch('create', 3);
    metrics.statements.batch('read', 1);
    const text = await scrape(metrics);
    expect(text).toMatch(/^notes_db_batch_size_bucket\{le="2",kind="create"\} 0$/m);
    expect(text).toMatch(/^notes_db_batch_size_bucket\{le="4",kind="create"\} 1$/m);
    expect(text).toMatch(/^notes_db_batch_size_bucket\{le="256",kind="create"\} 1$/m);
    expect(text).toMatch(/^notes_db_batch_size_bucket\{le="1",kind="read"\} 1$/m);
    expect(text).toMatch(/^notes_db_batch_size_sum\{kind="create"\} 3$/m);
  });

  it('reads each queue’s depth when scraped', async () => {
    const metrics = createMetrics(7);
    let depth = 3;
    metrics.statements.queued('read', () => depth);
    metrics.statements.queued('create', () => 0);
    expect(await scrape(metrics)).toMatch(/^notes_db_batch_queue_depth\{kind="read"\} 3$/m);
    depth = 5;
    const text = await scrape(metrics);
    expect(text).toMatch(/^notes_db_batch_queue_depth\{kind="read"\} 5$/m);
    expect(text).toMatch(/^notes_db_batch_queue_depth\{kind="create"\} 0$/m);
  });
});

describe('request metrics', () => {
  it('labels a request no route matched as route="unmatched", not by its URL', async () => {
    const instance = testApp({ metrics: true });
    await instance.inject({ url: `/nowhere/${Math.random()}` });
    const text = (await instance.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
  });

  it('keeps /metrics out of the API document', async () => {
    const document = (await testApp({ metrics: true }).inject({ url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(['/', '/health/live', '/health/ready', '/notes/', '/notes/{id}/']);
  });
});
