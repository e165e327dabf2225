// The unit tier's app: the real buildApp with the in-memory repository, its calls
// under the same deadline guard production puts them under (src/process/assemble.ts),
// so a driver error from a double reads as it would from the pool. Named options
// say what a test changes; the app is closed when the test finishes. Tests that
// only ask (rejections, 404s) share one app per describe block instead (sharedTestApp).
import { afterAll, afterEach, beforeAll, beforeEach, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { guardDatabaseCalls } from '../../src/db/deadline.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/app-instance.js';
import type { Readiness } from '../../src/http/health.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/logger.js';
import { guardedNotes } from '../../src/notes/guarded.js';
import type { NotesRepository } from '../../src/notes/repository.js';
import { notesFeature } from '../../src/notes/routes.js';
import { inMemoryNotes } from './in-memory-notes.js';
import { UNDER_MUTATION_TESTING } from './mutation.js';

/** Small limits, so the tests reach them with small bodies. */
export const TEST_CONFIG = {
  logLevel: 'silent',
  noteMaxLength: 50,
  idempotencyKeyTtlMs: 60_000,
  bodyLimitBytes: 1024,
  requestTimeoutMs: 5_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  lingeringCloseMs: 1_000,
  apiToken: undefined,
  stackId: undefined,
  // The event-loop limit off: on a loaded machine (two suites on two cores) it
  // would shed a test's request; the tests of shedding set the limits they test.
  shedding: { ...loadConfig({}).shedding, eventLoopDelayMs: 0 as number },
} as const;

const QUERY_TIMEOUT_MS = 2_000;

export interface TestAppOptions {
  /** Methods that replace the in-memory repository's, e.g. one that fails. */
  notes?: Partial<NotesRepository>;
  readiness?: Readiness;
  /** The service draining before it stops (SHUTDOWN_DRAIN_MS). */
  draining?: boolean;
  apiToken?: string;
  shedding?: Partial<typeof TEST_CONFIG.shedding>;
  /** Serve /metrics (a registry of this app's, for a pool of 7). */
  metrics?: boolean;
  /** Collects the app's log lines, parsed, at level info. */
  logLines?: Array<Record<string, unknown>>;
  /** STACK_ID: what GET / answers as `stack`. */
  stackId?: string;
  /** Timeouts and limits other than TEST_CONFIG's. */
  limits?: Partial<
    Record<
      'requestTimeoutMs' | 'headersTimeoutMs' | 'keepAliveTimeoutMs' | 'lingeringCloseMs' | 'bodyLimitBytes',
      number
    >
  >;
}

/**
 * An app of its own for one test, closed when the test finishes. A test that runs
 * at once with others passes its context's onTestFinished: the global one can't
 * tell which of them is running.
 */
export function testApp(options: TestAppOptions = {}, whenFinished = onTestFinished): App {
  const app = buildTestApp(options);
  whenFinished(() => app.close());
  return app;
}

/** When the shared helpers below set up and tear down: per block, or per test under mutation testing (./mutation.ts says why). */
const [setUpShared, tearDownShared] = UNDER_MUTATION_TESTING ? [beforeEach, afterEach] : [beforeAll, afterAll];

/**
 * One app for the tests of a describe block that look only at each answer, never
 * at what the app holds (the rows of a table of rejections, say; a create among
 * them stores a note no other test looks for): built before them, closed after.
 * An app costs some 5 ms of CPU to build, and the unit tier built one for each of
 * its 200-odd requests that changed nothing.
 */
export function sharedTestApp(options: TestAppOptions = {}): () => App {
  let app: App | undefined;
  setUpShared(async () => {
    app = buildTestApp(options);
    await app.ready();
  });
  tearDownShared(() => app?.close());
  return () => {
    if (!app) throw new Error('sharedTestApp: the app is there only inside the tests of its block');
    return app;
  };
}

function buildTestApp(options: TestAppOptions): App {
  const {
    notes = {},
    readiness = async () => {},
    draining = false,
    apiToken,
    stackId,
    shedding,
    metrics,
    logLines,
    limits,
  } = options;
  const guard = guardDatabaseCalls(QUERY_TIMEOUT_MS);
  return buildApp({
    config: { ...TEST_CONFIG, ...limits, apiToken, stackId, shedding: { ...TEST_CONFIG.shedding, ...shedding } },
    features: [
      notesFeature({
        notes: guardedNotes({ ...inMemoryNotes(), ...notes }, guard),
        noteMaxLength: TEST_CONFIG.noteMaxLength,
        idempotencyKeyTtlMs: TEST_CONFIG.idempotencyKeyTtlMs,
      }),
    ],
    readiness: () => guard(readiness),
    draining: () => draining,
    metrics: metrics ? createMetrics(7).registry : undefined,
    logger: logLines && createLogger('info', { write: (line: string) => logLines.push(JSON.parse(line)) }),
  });
}

/** testApp listening on a free port of 127.0.0.1, for what only a real socket shows; closed when the test ends. */
export async function listeningTestApp(
  options: TestAppOptions = {},
  whenFinished = onTestFinished,
): Promise<{ app: App; port: number }> {
  const app = testApp(options, whenFinished);
  return { app, port: await listen(app) };
}

/** sharedTestApp listening on a free port of 127.0.0.1: the port its tests connect to. */
export function sharedListeningTestApp(options: TestAppOptions = {}): () => number {
  const app = sharedTestApp(options);
  let port: number | undefined;
  setUpShared(async () => {
    port = await listen(app());
  });
  return () => {
    if (port === undefined)
      throw new Error('sharedListeningTestApp: the port is there only inside the tests of its block');
    return port;
  };
}

async function listen(app: App): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
