// Once per test run: the database for the integrated and external tiers (POSTGRES_HOST
// if set, else a throw-away embedded PostgreSQL on a free port), migrated; and for
// the external tier the service as a separate process on a free port, unless
// APP_URL points at one already running. Everything is torn down at the end; test
// data is never wiped, so the suite also passes on a database full of other notes.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { type ConnectionSettings, openPool, waitForDatabase } from '../../src/db/connect.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from './free-port.js';
import { startServiceProcess } from './service-process.js';
import { readTestSettings } from './settings.js';
import { waitForHttp200 } from './wait.js';

type Teardown = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Teardown> {
  const tiers = new Set(project.vitest.projects.map((p) => p.name));
  const settings = readTestSettings();
  const needsService = tiers.has('external') && !settings.appUrl;
  const needsDatabase = tiers.has('integrated') || needsService;
  const teardowns: Teardown[] = [];
  const teardown = async () => {
    for (const step of teardowns.reverse()) await step();
  };

  try {
    let database: ConnectionSettings | null = null;
    if (needsDatabase) {
      const runDir = await mkdtemp(join(tmpdir(), 'notes-service-test-'));
      await chmod(runDir, 0o755); // PostgreSQL may run as another OS user: let it reach its data directory
      teardowns.push(() => rm(runDir, { recursive: true, force: true }));
      database = await prepareDatabase(runDir, teardowns);
      if (needsService) {
        const service = await startServiceProcess(database, join(runDir, 'service.log'), settings.appWait);
        teardowns.push(() => service.stop());
        project.provide('appUrl', service.url);
      }
    }
    if (settings.appUrl && tiers.has('external')) {
      await waitForHttp200(`${settings.appUrl}/`, settings.appWait);
      project.provide('appUrl', settings.appUrl);
    }
    project.provide('database', database);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function prepareDatabase(runDir: string, teardowns: Teardown[]): Promise<ConnectionSettings> {
  const config = loadConfig();
  let settings: ConnectionSettings;
  if (config.postgres.host) {
    settings = { ...config.postgres, host: config.postgres.host };
  } else {
    const embedded = await startEmbeddedPostgres({
      ...config.postgres,
      dataDir: join(runDir, 'postgres'),
      port: await freePort(),
      startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
      ephemeral: true,
      log: () => {},
    });
    teardowns.push(() => embedded.stop());
    settings = { ...config.postgres, host: '127.0.0.1', port: embedded.port };
  }
  const sql = openPool({ ...settings, poolSize: 1 });
  try {
    await waitForDatabase(sql, { timeoutMs: config.postgres.waitTimeoutMs, intervalMs: config.postgres.waitIntervalMs });
    await migrate(sql, settings.database);
  } finally {
    await sql.end();
  }
  return settings;
}
