// Production process entry (node dist/process/server.js, the image's command):
// config → database → app → listen → shutdown. It needs POSTGRES_HOST and never
// starts a database of its own.

import { loadConfig } from '../config.js';
import { ConfigError } from '../config-reader.js';
import { createLogger } from '../logger.js';
import { startService } from './service.js';
import { runMain, Shutdown } from './shutdown.js';

async function main() {
  const config = loadConfig();
  const { host } = config.postgres;
  if (!host) throw new ConfigError('POSTGRES_HOST must be set (npm start runs an embedded PostgreSQL for development)');
  const logger = createLogger(config.logLevel);
  const shutdown = new Shutdown((line) => logger.info(line));
  await shutdown.start(async () => {
    logger.info(`PostgreSQL: ${host}:${config.postgres.port}, database ${config.postgres.database}`);
    const service = await startService(config, { ...config.postgres, host }, logger);
    shutdown.add(() => service.close());
  });
}

runMain('failed to start', main);
