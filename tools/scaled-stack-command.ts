// scripts/scaled-stack up | down | status | destroy: the Makefile's scaled stack
// without Docker (tools/scaled-stack.ts), its settings from the environment,
// checked like the service's. `up` returns once the balancer answers; the parts
// keep running until `down`.
import { rm } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { ConfigError, reader } from '../src/config-reader.js';
import { readAppWait } from './app-wait.js';
import { attachScaledStack, type ScaledStackSettings, startScaledStack } from './scaled-stack.js';

/** The settings the scaled stack reads (docs/configuration.md lists them). */
export function scaledStackSettings(env: NodeJS.ProcessEnv): ScaledStackSettings {
  const read = reader(env);
  const config = loadConfig(env);
  const apiPort = read.port('API_PORT', 8080, 1);
  const checkIntervalMs = read.integer('BALANCER_CHECK_INTERVAL_MS', 500, 100, 60_000);
  // Production-like: the drain outlasts the two failed checks that take an instance out.
  const drainMs = read.integer('SHUTDOWN_DRAIN_MS', 6 * checkIntervalMs, 0, 600_000);
  if (drainMs <= 2 * checkIntervalMs) {
    throw new ConfigError(
      `SHUTDOWN_DRAIN_MS (${drainMs}) must outlast two balancer checks (2 × BALANCER_CHECK_INTERVAL_MS = ${2 * checkIntervalMs}), or stopping instances drops requests`,
    );
  }
  return {
    dir: read.string('STACK_DIR', `.data/stacks/notes-service-${apiPort}`),
    apiPort,
    postgresPort: config.postgres.port,
    pgbouncerPort: read.port('PGBOUNCER_PORT', 6432, 1),
    statsPort: read.port('BALANCER_STATS_PORT', 8404, 1),
    instances: read.integer('API_INSTANCES', 3, 1, 16),
    postgres: { ...config.postgres },
    pgbouncerPoolSize: read.integer('PGBOUNCER_POOL_SIZE', 20, 1, 10_000),
    checkIntervalMs,
    drainMs,
    graceMs: config.shutdownGraceMs,
    wait: readAppWait(env),
  };
}

/** Runs one command; returns the exit code (2 for a bad setting or usage, 1 for a failure). */
export async function scaledStackCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const command = args[0];
  let settings: ScaledStackSettings;
  try {
    settings = scaledStackSettings(env);
  } catch (error) {
    console.error(`scaled stack: ${(error as Error).message}`);
    return 2;
  }
  const running = await attachScaledStack(settings.dir);
  try {
    switch (command) {
      case 'up': {
        if (running) {
          console.log(`scaled stack already running on ${running.url} (${settings.dir})`);
          return 0;
        }
        const stack = await startScaledStack(settings);
        console.log(
          `scaled stack up on ${stack.url}: ${settings.instances} instances behind HAProxy (stats ${stack.statsUrl}), ` +
            `PgBouncer on ${settings.pgbouncerPort}, PostgreSQL on ${settings.postgresPort}; logs in ${settings.dir}`,
        );
        return 0;
      }
      case 'down':
      case 'destroy':
        if (running) await running.stop();
        console.log(running ? 'scaled stack stopped' : 'scaled stack not running');
        if (command === 'destroy') {
          await rm(settings.dir, { recursive: true, force: true });
          console.log(`removed ${settings.dir}`);
        }
        return 0;
      case 'status': {
        if (!running) {
          console.log('scaled stack not running');
          return 1;
        }
        for (const [part, up] of Object.entries(await running.status()))
          console.log(`${part}: ${up ? 'running' : 'stopped'}`);
        return 0;
      }
      default:
        console.error('usage: scripts/scaled-stack up|down|status|destroy');
        return 2;
    }
  } catch (error) {
    console.error(`scaled stack: ${(error as Error).message}`);
    return 1;
  }
}
