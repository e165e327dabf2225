// Production process entry (node dist/server.js, the image's command): config →
// database → app → listen → shutdown. It needs POSTGRES_HOST and never starts a
// database of its own.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';
import { reportFailure, Shutdown } from './shutdown.js';

async function main() {
  const config = loadConfig();
  if (!config.postgres.host) {
    throw new ConfigError('POSTGRES_HOST must be set (npm start runs an embedded PostgreSQL for development)');
  }
  const logger = createLogger(config.logLevel);
  const shutdown = new Shutdown((line) => logger.info(line));
  try {
    logger.info(`PostgreSQL: ${config.postgres.host}:${config.postgres.port}, database ${config.postgres.database}`);
    const service = await startService(config, { host: config.postgres.host, port: config.postgres.port }, logger);
    shutdown.add(() => service.close());
    logger.info(`notes-service listening on ${service.url}`);
  } catch (error) {
    await shutdown.fail(error);
  }
}

main().catch((error) => {
  reportFailure('failed to start', error);
  process.exit(1);
});
