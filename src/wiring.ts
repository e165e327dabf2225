// The app with its real dependencies on one pool: the repository over it and a
// readiness probe that pings it. Its own module so that npm run dev can rebuild
// just this graph on a save (dev-reload.ts).
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { pingDatabase } from './db/connect.js';
import { notesRepository } from './notes/repository.js';

export function wireApp(config: Config, sql: Sql, logger: Logger): App {
  return buildApp({ config, logger, notes: notesRepository(sql), readiness: () => pingDatabase(sql) });
}
