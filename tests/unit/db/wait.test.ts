// waitForDatabase (src/db/wait.ts) on a stand-in database and fake time: when it
// tries, when it gives up, and what it gives up with.
import type { Sql } from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/config-reader.js';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { WAIT_PROGRESS_EVERY_MS, waitForDatabase } from '../../../src/db/wait.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A database that refuses until `upAfter` attempts, recording when each query came and its text. */
function standIn(upAfter = Number.POSITIVE_INFINITY) {
  const attempts: Array<{ at: number; query: string }> = [];
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const sql = ((strings: TemplateStringsArray) => {
    attempts.push({ at: Date.now(), query: strings.join('?') });
    return attempts.length > upAfter ? Promise.resolve([]) : Promise.reject(refused);
  }) as unknown as Sql;
  return { sql, attempts, refused };
}

describe('waitForDatabase', () => {
  it('pings every interval and gives up at the timeout with the last reason, as the cause too', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sql, attempts, refused } = standIn();
    const waiting = waitForDatabase(sql, { timeoutMs: 600, intervalMs: 100, host: 'db' }).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(2_000);
    const failure = await waiting;
    expect(attempts.map((attempt) => attempt.at)).toEqual([0, 100, 200, 300, 400, 500, 600]);
    expect(attempts.every((attempt) => attempt.query === 'select 1')).toBe(true);
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect(failure).toMatchObject({
      message: 'the database did not answer within 600 ms (connect ECONNREFUSED 127.0.0.1:5432)',
      cause: refused,
    });
  });

  it('returns as soon as the database answers', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sql, attempts } = standIn(2);
    const waiting = waitForDatabase(sql, { timeoutMs: 10_000, intervalMs: 100, host: 'db' });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(waiting).resolves.toBeUndefined();
    expect(attempts.map((attempt) => attempt.at)).toEqual([0, 100, 200]);
  });

  it('runs the first step before each ping, its failures counted like the ping’s', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sql, attempts } = standIn(0);
    let probes = 0;
    const probe = async () => {
      probes++;
      if (probes < 3) throw Object.assign(new Error('no answer to SSLRequest'), { code: 'CONNECT_TIMEOUT' });
    };
    const waiting = waitForDatabase(sql, { timeoutMs: 10_000, intervalMs: 50, host: 'db' }, probe);
    await vi.advanceTimersByTimeAsync(500);
    await expect(waiting).resolves.toBeUndefined();
    expect([probes, attempts.length]).toEqual([3, 1]);
  });

  it('says every 5 s that it still waits, with the reason and the time spent of the timeout', async () => {
    vi.useFakeTimers({ now: 1_000_000 }); // not 0: the time spent is counted from the start, not from the epoch
    const { sql } = standIn();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const waiting = waitForDatabase(sql, { timeoutMs: 12_000, intervalMs: 1_000, host: 'db', log }).catch(
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(15_000);
    await waiting;
    expect(WAIT_PROGRESS_EVERY_MS).toBe(5_000);
    expect(lines).toEqual([
      'still waiting for the database (connect ECONNREFUSED 127.0.0.1:5432): 5000 ms of POSTGRES_WAIT_TIMEOUT_MS=12000',
      'still waiting for the database (connect ECONNREFUSED 127.0.0.1:5432): 10000 ms of POSTGRES_WAIT_TIMEOUT_MS=12000',
    ]);
  });

  it('ends at once on a host name that does not resolve, naming POSTGRES_HOST, the lookup as the cause', async () => {
    vi.useFakeTimers({ now: 0 });
    const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' });
    let attempts = 0;
    const sql = (() => {
      attempts++;
      return Promise.reject(lookup);
    }) as unknown as Sql;
    const failure = await waitForDatabase(sql, { timeoutMs: 10_000, intervalMs: 100, host: 'db' }).catch(
      (error: unknown) => error,
    );
    expect(attempts).toBe(1);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure).toMatchObject({
      message:
        "POSTGRES_HOST db does not resolve (getaddrinfo ENOTFOUND db): set it to the database's host name or address",
      cause: lookup,
    });
  });

  it('waits as long without anywhere to say so', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sql, attempts } = standIn();
    const waiting = waitForDatabase(sql, { timeoutMs: 12_000, intervalMs: 1_000, host: 'db' }).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await waiting).toBeInstanceOf(DatabaseUnavailableError);
    expect(attempts).toHaveLength(13);
  });
});
