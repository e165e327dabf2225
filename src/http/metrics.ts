// Prometheus metrics at GET /metrics (METRICS_ENABLED; behind the bearer token
// when API_TOKEN is set): requests by method, route and status with a latency
// histogram, database calls in flight against the pool size, and the process's
// own metrics. One registry per app, so apps built in one process don't collide.
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchObserver } from '../db/coalesce.js';
import type { App } from './app-instance.js';
import { NEVER_SHED, type ShedReason } from './load-shedding.js';

export interface Metrics {
  registry: Registry;
  /** Counts a database call as in flight while it runs (an `around` for the repository's calls). */
  trackDatabaseCall<T>(call: () => Promise<T>): Promise<T>;
  /** The repository's coalesced statements: batch sizes and queue depths by kind. */
  statements: BatchObserver;
}

export function createMetrics(poolSize: number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const inFlight = new Gauge({
    name: 'notes_db_calls_in_flight',
    help: 'Database calls of requests now running (each holds a pool connection or waits for one)',
    registers: [registry],
  });
  new Gauge({ name: 'notes_db_pool_size', help: 'Connections the pool may open', registers: [registry] }).set(poolSize);
  const batchSize = new Histogram({
    name: 'notes_db_batch_size',
    help: 'Creates or reads by id carried by one statement (POSTGRES_BATCH_MAX_SIZE is the most)',
    labelNames: ['kind'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const queues = new Map<string, () => number>();
  new Gauge({
    name: 'notes_db_batch_queue_depth',
    help: 'Creates or reads by id waiting for a statement slot (POSTGRES_BATCH_MAX_IN_FLIGHT)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      for (const [kind, depth] of queues) this.set({ kind }, depth());
    },
  });
  return {
    registry,
    statements: {
      batch: (kind, size) => batchSize.observe({ kind }, size),
      queued: (kind, depth) => queues.set(kind, depth),
    },
    async trackDatabaseCall(call) {
      inFlight.inc();
      try {
        return await call();
      } finally {
        inFlight.dec();
      }
    },
  };
}

/** Observes every request the app answers. */
export function observeRequests(app: App, registry: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: one series per endpoint, not per note id.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    // Stryker disable next-line CallExpression: the last hook of an answer already sent; nothing observable waits for it
    done();
  });
}

/** Requests shed by admitRequests, by reason, and the requests in flight it counts. */
export function observeAdmission(registry: Registry) {
  const shed = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests answered 503 overloaded at once, by the limit they met',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    shed: (reason: ShedReason) => shed.inc({ reason }),
    inFlight(count: () => number) {
      new Gauge({
        name: 'http_requests_in_flight',
        help: 'Requests being served now (SHED_IN_FLIGHT_REQUESTS is the limit)',
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    },
  };
}

/** GET /metrics in the Prometheus text format. */
export function serveMetrics(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { schema: { hide: true }, config: NEVER_SHED }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
