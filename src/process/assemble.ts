// The app on a real pool: the repository over it, its calls under the query
// deadline (and counted, with METRICS_ENABLED), a readiness probe that pings it,
// and buildApp serving the features. The composition root of the request path,
// the one module that knows every feature (add one: one line in `features`); npm run dev rebuilds
// this module's graph on a save and swaps its app in (src/dev/reload.ts).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { Config } from '../config.js';
import { within } from '../db/around.js';
import { guardDatabaseCalls } from '../db/deadline.js';
import { pingDatabase } from '../db/pool.js';
import { buildApp } from '../http/app.js';
import type { App } from '../http/app-instance.js';
import { createMetrics } from '../http/metrics.js';
import { guardedNotes } from '../notes/guarded.js';
import { notesRepository } from '../notes/repository.js';
import { notesFeature } from '../notes/routes.js';

export function assembleApp(config: Config, sql: Sql, logger: Logger, draining: () => boolean): App {
  const deadline = guardDatabaseCalls(config.postgres.queryTimeoutMs);
  const metrics = config.metricsEnabled ? createMetrics(config.postgres.poolSize) : undefined;
  const guard = metrics ? within(metrics.trackDatabaseCall, deadline) : deadline;
  const repository = notesRepository(sql, {
    pageMaxBytes: config.pageMaxBytes,
    batching: config.postgres.batching,
    observe: metrics?.statements,
  });
  return buildApp({
    config,
    logger,
    features: [
      notesFeature({
        notes: guardedNotes(repository, guard),
        noteMaxLength: config.noteMaxLength,
        idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
      }),
    ],
    readiness: () => deadline(() => pingDatabase(sql)),
    draining,
    metrics: metrics?.registry,
  });
}
