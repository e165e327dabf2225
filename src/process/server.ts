// Production process entry (node dist/process/server.js, the image's command):
// config → database → app → listen → shutdown. It needs POSTGRES_HOST and never
// starts a database of its own.
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startService } from './service.js';
import { reportFailure, Shutdown } from './shutdown.js';

async function main() {
  const config = loadConfig();
  const { host } = config.postgres;
  if (!host) throw new ConfigError('POSTGRES_HOST must be set (npm start runs an embedded PostgreSQL for development)');
  const logger = createLogger(config.logLevel);
  const shutdown = new Shutdown((line) => logger.info(line));
  try {
    logger.info(`PostgreSQL: ${host}:${config.postgres.port}, database ${config.postgres.database}`);
    const service = await startService(config, { ...config.postgres, host }, logger);
    shutdown.add(() => service.close());
  } catch (error) {
    await shutdown.fail(error);
  }
}

main().catch((error) => {
  reportFailure('failed to start', error);
  process.exit(1);
});
