// The database kit's guards: the deadline (what it hands each call, when it
// gives up, how driver errors read), a concern within another, and an
// iteration with each step guarded.
import postgres from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { type Around, type Guard, guardSteps, within } from '../../../src/db/around.js';
import { guardDatabaseCalls, withDeadline } from '../../../src/db/deadline.js';
import { collect } from '../../support/collect.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('guardDatabaseCalls', () => {
  const guard = guardDatabaseCalls(100);

  it('hands each call the moment its caller stops waiting: now plus the timeout', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const deadline = await guard(async (at) => at);
    expect(deadline).toBe(1_000_100);
  });

  it('turns a refused connection and a statement timeout into DatabaseUnavailableError, keeping the cause', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '57014' });
    for (const error of [refused, timedOut]) {
      const failure = await guard(() => Promise.reject(error)).catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect((failure as Error).cause).toBe(error);
    }
  });

  it('lets a query bug through as it is (a 500, not a 503)', async () => {
    const bug = Object.assign(Object.create(postgres.PostgresError.prototype), { code: '42P01' });
    await expect(guard(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('fails a call that outlives the deadline as DatabaseUnavailableError naming the timeout', async () => {
    const never = new Promise<never>(() => {});
    await expect(guardDatabaseCalls(20)(() => never)).rejects.toThrow(
      new DatabaseUnavailableError('the database did not answer within 20 ms'),
    );
  });

  it('answers with the result when it comes in time, and never fails it afterwards', async () => {
    vi.useFakeTimers();
    const answer = guard(async () => 'row');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(answer).resolves.toBe('row');
  });
});

describe('withDeadline', () => {
  it('never gives up before the deadline by the clock, even when its timer fires early', async () => {
    vi.useFakeTimers({ now: 0 });
    const never = new Promise<never>(() => {});
    let failed = false;
    // The timer is due at 50, the deadline by the clock at 80: as when the event
    // loop's cached time lags Date.now() by 30 ms.
    const guarded = withDeadline(never, 80, 50).catch(() => {
      failed = true;
    });
    await vi.advanceTimersByTimeAsync(79);
    expect(failed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await guarded;
    expect(failed).toBe(true);
  });
});

describe('within', () => {
  it('runs the outer concern around the inner guard, which still hands on the deadline', async () => {
    const seen: string[] = [];
    const outer: Around = async (call) => {
      seen.push('outer in');
      try {
        return await call();
      } finally {
        seen.push('outer out');
      }
    };
    const inner: Guard = async (call) => {
      seen.push('inner');
      return call(42);
    };
    expect(await within(outer, inner)(async (deadline) => `deadline ${deadline}`)).toBe('deadline 42');
    expect(seen).toEqual(['outer in', 'inner', 'outer out']);
  });
});

describe('guardSteps', () => {
  it('guards each step of an iteration, the one that finds its end included', async () => {
    let steps = 0;
    const guard: Guard = (call) => {
      steps++;
      return call(0);
    };
    async function* batches() {
      yield [1, 2];
      yield [3];
    }
    expect(await collect(guardSteps(batches(), guard))).toEqual([[1, 2], [3]]);
    expect(steps).toBe(3);
  });

  it('passes an early return on to the iteration, unguarded', async () => {
    let finished = false;
    async function* batches() {
      try {
        yield [1];
        yield [2];
      } finally {
        finished = true;
      }
    }
    for await (const batch of guardSteps(batches(), (call) => call(0))) {
      expect(batch).toEqual([1]);
      break;
    }
    expect(finished).toBe(true);
  });
});

describe('the deadline’s timer', () => {
  it('is gone once the call answers, or fails, before the deadline: none left per request', async () => {
    vi.useFakeTimers();
    const guard = guardDatabaseCalls(5_000);
    await guard(async () => 'row');
    await guard(() => Promise.reject(new Error('a bug'))).catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('guardSteps, stopped early', () => {
  it('passes the iteration’s own answer on, and answers done for one that has no return', async () => {
    const closing = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: 1 }),
        return: async (value?: unknown) => ({ done: true as const, value: `closed with ${value}` }),
      }),
    };
    const bare = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: 1 }) }) };
    const guard: Guard = (call) => call(0);
    expect(await guardSteps(closing, guard)[Symbol.asyncIterator]().return?.('x')).toEqual({
      done: true,
      value: 'closed with x',
    });
    expect(await guardSteps(bare, guard)[Symbol.asyncIterator]().return?.()).toEqual({ done: true, value: undefined });
  });
});
