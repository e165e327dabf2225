// The scale-out tier's harness: a scaled stack of the test file's own (its own
// directory and free ports, stopped and removed after the file even when a test
// failed), a pool on its PostgreSQL for assertions, and a bounded load of clients
// that create notes with Idempotency-Keys and read them back.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../tools/free-port.js';
import { type ScaledStack, type ScaledStackSettings, startScaledStack } from '../../tools/scaled-stack.js';

/** Fast checks, so that the tier is quick; the drain still outlasts two of them. */
export const CHECK_INTERVAL_MS = 300;
export const DRAIN_MS = 1_500;

export function useScaledStack(overrides: Partial<ScaledStackSettings> = {}) {
  let stack: ScaledStack | undefined;
  let dir: string | undefined;
  const sql: Sql[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notes-scaled-'));
    const config = loadConfig({});
    const [apiPort, postgresPort, pgbouncerPort, statsPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    stack = await startScaledStack({
      dir,
      apiPort,
      postgresPort,
      pgbouncerPort,
      statsPort,
      instances: 3,
      postgres: config.postgres,
      pgbouncerPoolSize: 20,
      checkIntervalMs: CHECK_INTERVAL_MS,
      drainMs: DRAIN_MS,
      graceMs: 5_000,
      wait: { timeoutMs: 30_000, intervalMs: 100 },
      instanceEnv: { POSTGRES_POOL_SIZE: '6', EMBEDDED_POSTGRES_WATCH_INTERVAL_MS: '0' },
      ...overrides,
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(sql.map((pool) => pool.end()));
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  return {
    stack(): ScaledStack {
      if (!stack) throw new Error('the scaled stack did not start');
      return stack;
    },
    /** A pool straight on PostgreSQL (not through PgBouncer), closed after the file. */
    database(databaseName?: string): Sql {
      const { postgresPort, postgres: p } = this.stack().settings;
      const pool = postgres({
        host: '127.0.0.1',
        port: postgresPort,
        user: p.user,
        password: p.password,
        database: databaseName ?? p.database,
        max: 2,
        onnotice: () => {},
      });
      sql.push(pool);
      return pool;
    },
  };
}

export interface LoadResult {
  /** Every Idempotency-Key a client was answered 201 for, with the note's id. */
  acknowledged: Map<string, number>;
  /** Requests that got no answer or an error status, with what happened. */
  failures: Array<{ at: number; request: string; outcome: string }>;
  requests: number;
  /** The instances that answered, from X-Served-By. */
  servedBy: Set<string>;
}

/**
 * `clients` loops, each creating a note with its own Idempotency-Key and reading
 * it back, until stop(); the first `keyless` of them create without a key, the
 * requests a balancer must not send twice. With `retry`, a create that failed is
 * sent again with the same key (as a client that must not lose or double a note
 * does), up to 5 times.
 */
export function mixedLoad(
  url: string,
  {
    clients,
    keyless = 0,
    retry = false,
    tag = randomUUID(),
  }: { clients: number; keyless?: number; retry?: boolean; tag?: string },
) {
  const result: LoadResult = { acknowledged: new Map(), failures: [], requests: 0, servedBy: new Set() };
  let running = true;
  /** One request; its answer when it is 2xx, else undefined with the failure recorded under `request`. */
  const send = async (path: string, request: string, init?: RequestInit) => {
    result.requests++;
    try {
      const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      const servedBy = response.headers.get('x-served-by');
      if (servedBy) result.servedBy.add(servedBy);
      if (response.status >= 400) {
        result.failures.push({ at: Date.now(), request, outcome: `${response.status} ${await response.text()}` });
        return undefined;
      }
      return response;
    } catch (error) {
      result.failures.push({ at: Date.now(), request, outcome: (error as Error).message });
      return undefined;
    }
  };
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; running; i++) {
      const key = `${tag}-${client}-${i}`;
      let created: Response | undefined;
      for (let attempt = 0; attempt < (retry ? 5 : 1) && !created; attempt++) {
        const withKey = client >= keyless;
        created = await send('/notes/', `POST /notes/ (${withKey ? key : 'no key'})`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(withKey ? { 'idempotency-key': key } : {}) },
          body: JSON.stringify({ contents: `scaled ${key}` }),
        });
      }
      if (!created) continue;
      const { id } = (await created.json()) as { id: number };
      result.acknowledged.set(key, id);
      await (await send(`/notes/${id}/`, `GET /notes/${id}/`))?.body?.cancel();
    }
  });
  return {
    result,
    tag,
    async stop(): Promise<LoadResult> {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
