// Promises 2 and 3: while the database is away every notes request answers a fast
// 503 with Retry-After (GET / too), liveness stays 200, and within 2 s of the
// database coming back requests succeed again without a restart; a create
// answered 503 is never stored afterwards. A service started before its database
// waits for it.
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { createSucceedsWithin, postNote, useFaultStack } from '../support/fault-stack.js';

const QUERY_TIMEOUT_MS = 1_000;
const stack = useFaultStack({
  POSTGRES_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
  POSTGRES_CONNECT_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
});
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

async function expectFast503s(url: string) {
  const requests: Array<[string, () => Promise<Response>]> = [
    ['GET /', () => fetch(`${url}/`)],
    ['GET /health/ready', () => fetch(`${url}/health/ready`)],
    ['GET /notes/1/', () => fetch(`${url}/notes/1/`)],
    ['GET /notes/', () => fetch(`${url}/notes/`)],
    ['GET /notes/?limit=5', () => fetch(`${url}/notes/?limit=5`)],
    ['POST /notes/', () => postNote(url, 'during the outage')],
  ];
  for (const [name, send] of requests) {
    const started = Date.now();
    const response = await send();
    const elapsed = Date.now() - started;
    expect({ name, status: response.status }).toEqual({ name, status: 503 });
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toBe('database_unavailable');
    expect(elapsed).toBeLessThan(QUERY_TIMEOUT_MS + 1_000);
  }
  expect((await fetch(`${url}/health/live`)).status).toBe(200);
}

async function expectRecoveryWithin2s(url: string) {
  const back = Date.now();
  await createSucceedsWithin(url, 2_000, 'after the outage');
  expect(Date.now() - back).toBeLessThan(2_000);
  expect((await fetch(`${url}/`)).status).toBe(200);
}

describe('a database outage', () => {
  it('answers 503 while PostgreSQL is stopped, and recovers without a restart', async () => {
    const { url } = stack.service();
    await stack.stopDatabase();
    await expectFast503s(url);
    await stack.startDatabase();
    await expectRecoveryWithin2s(url);
  });

  it('answers 503 within the query timeout while PostgreSQL is frozen, and recovers', async () => {
    const { url } = stack.service();
    await stack.freezeDatabase(true);
    try {
      await expectFast503s(url);
    } finally {
      await stack.freezeDatabase(false);
    }
    await expectRecoveryWithin2s(url);
  });

  it('fails every request of coalesced batches caught by the outage with a 503, then serves them again', async () => {
    const { url } = stack.service();
    const { id } = (await (await postNote(url, 'read during the outage')).json()) as { id: number };
    await stack.freezeDatabase(true);
    let answers: Array<{ status: number; error: string; retryAfter: string | null; ms: number }>;
    try {
      // 24 reads and 24 creates at once: far more than the statement slots, so they queue and share statements.
      const started = Date.now();
      answers = await Promise.all(
        Array.from({ length: 48 }, async (_, i) => {
          const response = await (i % 2 ? fetch(`${url}/notes/${id}/`) : postNote(url, `queued ${i}`));
          const body = (await response.json()) as { error: string };
          return {
            status: response.status,
            error: body.error,
            retryAfter: response.headers.get('retry-after'),
            ms: Date.now() - started,
          };
        }),
      );
    } finally {
      await stack.freezeDatabase(false);
    }
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, error: 'database_unavailable', retryAfter: '1' });
      expect(answer.ms).toBeLessThan(QUERY_TIMEOUT_MS + 1_000);
    }
    await expectRecoveryWithin2s(url);
    expect((await fetch(`${url}/notes/${id}/`)).status).toBe(200);
  });

  it('never stores a create it answered 503 while PostgreSQL was frozen, after PostgreSQL thaws', async () => {
    // The statements sent into the frozen server, and those queued behind them:
    // none may store its note once its client has been told it failed.
    const { url } = stack.service();
    const tag = `frozen ${Date.now()}`;
    await stack.freezeDatabase(true);
    let statuses: number[];
    try {
      statuses = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await postNote(url, `${tag} ${i}`)).status),
      );
    } finally {
      await stack.freezeDatabase(false);
    }
    expect(statuses).toEqual(Array(8).fill(503));
    await expectRecoveryWithin2s(url);
    await stack.withDatabase(async (sql) => {
      // Whatever the thawed server still had to run has run once no insert is active.
      await waitFor(
        'an insert still runs',
        async () => {
          const [busy] = await sql`select count(*)::int as n from pg_stat_activity
            where state = 'active' and query like 'insert into notes%'`;
          if (busy?.n !== 0) throw new Error('still running');
        },
        { timeoutMs: 5_000, intervalMs: 20 },
      );
      expect(await sql`select id, contents from notes where contents like ${`${tag} %`}`).toEqual([]);
    });
  });

  it('lets a service started before its database wait for it', async () => {
    await stack.service().stop();
    await stack.stopDatabase();
    const starting = stack.startService({ POSTGRES_WAIT_TIMEOUT_MS: '30000', POSTGRES_WAIT_INTERVAL_MS: '100' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stack.startDatabase();
    const service = await starting;
    expect((await postNote(service.url, 'after waiting')).status).toBe(201);
  });
});
