// The app with its real dependencies on one pool: the repository over it and a
// readiness probe that pings it, both under POSTGRES_QUERY_TIMEOUT_MS. Its own
// module so that npm run dev can rebuild just this graph on a save (dev-reload.ts).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { pingDatabase } from './db/connect.js';
import { repositoryWithDeadline, withDeadline } from './db/deadline.js';
import { notesRepository } from './notes/repository.js';

export function wireApp(config: Config, sql: Sql, logger: Logger): App {
  const deadline = config.postgres.queryTimeoutMs;
  return buildApp({
    config,
    logger,
    notes: repositoryWithDeadline(notesRepository(sql), deadline),
    readiness: () => withDeadline(pingDatabase(sql), deadline),
  });
}
