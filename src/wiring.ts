// The app with its real dependencies on one pool: the repository over it and a
// readiness probe that pings it, both under POSTGRES_QUERY_TIMEOUT_MS. Its own
// module so that npm run dev can rebuild just this graph on a save (dev-reload.ts).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { pingDatabase } from './db/connect.js';
import { withDeadline } from './db/deadline.js';
import { createMetrics } from './metrics.js';
import { notesRepository } from './notes/repository.js';
import { wrapRepository } from './notes/wrap.js';

export function wireApp(config: Config, sql: Sql, logger: Logger): App {
  const deadline = config.postgres.queryTimeoutMs;
  const metrics = config.metricsEnabled ? createMetrics(config.postgres.poolSize) : undefined;
  const repository = notesRepository(sql, {
    pageMaxBytes: config.pageMaxBytes,
    batching: config.postgres.batching,
    observe: metrics?.statements,
  });
  let notes = wrapRepository(repository, (call) => withDeadline(call(), deadline));
  if (metrics) notes = wrapRepository(notes, metrics.trackDatabaseCall);
  return buildApp({
    config,
    logger,
    notes,
    readiness: () => withDeadline(pingDatabase(sql), deadline),
    metrics: metrics?.registry,
  });
}
