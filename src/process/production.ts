// The production service's start: config → database → app → listen → shutdown.
// It needs POSTGRES_HOST and never starts a database of its own. server.ts runs it;
// so does the test suite's watch mode, with a reloader (tests/support/swappable-service.ts).
import { loadConfig } from '../config.js';
import { ConfigError } from '../config-reader.js';
import { createLogger } from '../logger.js';
import { type Reloader, startService } from './service.js';
import { Shutdown } from './shutdown.js';

export async function startProductionService(reloader?: Reloader): Promise<void> {
  const config = loadConfig();
  const { host } = config.postgres;
  if (!host) throw new ConfigError('POSTGRES_HOST must be set (npm start runs an embedded PostgreSQL for development)');
  const logger = createLogger(config.logLevel);
  const shutdown = new Shutdown((line) => logger.info(line));
  await shutdown.start(async () => {
    logger.info(`PostgreSQL: ${host}:${config.postgres.port}, database ${config.postgres.database}`);
    const service = await startService(config, { ...config.postgres, host }, logger, reloader);
    shutdown.add(() => service.close());
  });
}
