// npm start's watch over its PostgreSQL, on a stand-in server: when it checks,
// that a slow restart never piles checks up behind it, and when it gives up.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_RESTARTS, RESTART_WINDOW_MS, watchServer } from '../../../src/dev/embedded-watch.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A stand-in server: alive as the test says, its restart resolved when the test releases it. */
function server() {
  const state = { alive: true, checks: 0, restarts: 0, lines: [] as string[] };
  let release = () => {};
  const watched = {
    dataDir: '/data/postgres',
    isAlive: async () => {
      state.checks++;
      return state.alive;
    },
    restart: () =>
      new Promise<void>((resolve) => {
        state.restarts++;
        release = () => {
          state.alive = true;
          resolve();
        };
      }),
    log: (line: string) => state.lines.push(line),
  };
  return { state, watched, release: () => release() };
}

describe('watchServer', () => {
  it('checks every interval while the server lives, and stops checking once stopped', async () => {
    vi.useFakeTimers();
    const { state, watched } = server();
    const watch = watchServer(watched, { intervalMs: 1_000, giveUp: () => {} });
    await vi.advanceTimersByTimeAsync(3_500);
    expect(state.checks).toBe(3);
    await watch.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(state.checks).toBe(3);
  });

  it('restarts a dead server once, checking nothing while the restart takes its time', async () => {
    vi.useFakeTimers();
    const { state, watched, release } = server();
    const watch = watchServer(watched, { intervalMs: 1_000, giveUp: () => {} });
    state.alive = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect([state.checks, state.restarts]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(30_000); // a restart of 30 s: no check queues up behind it
    expect([state.checks, state.restarts]).toEqual([1, 1]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.lines).toEqual([
      'the embedded PostgreSQL in /data/postgres exited unexpectedly: restarting it (its data recovers from the WAL)',
      'the embedded PostgreSQL is back',
    ]);
    await vi.advanceTimersByTimeAsync(999);
    expect(state.checks).toBe(1); // the next check comes an interval after the restart ended
    await vi.advanceTimersByTimeAsync(1);
    expect(state.checks).toBe(2);
    await watch.stop();
  });

  it(`gives up when the server died more than ${MAX_RESTARTS} times within ${RESTART_WINDOW_MS / 1000} s`, async () => {
    vi.useFakeTimers();
    const { state, watched, release } = server();
    const reasons: string[] = [];
    watchServer(watched, { intervalMs: 1_000, giveUp: (reason) => reasons.push(reason.message) });
    for (let death = 1; death <= MAX_RESTARTS; death++) {
      state.alive = false;
      await vi.advanceTimersByTimeAsync(1_000);
      release();
      await vi.advanceTimersByTimeAsync(0);
    }
    state.alive = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.restarts).toBe(MAX_RESTARTS);
    expect(reasons).toEqual(['the embedded PostgreSQL died 4 times within 60 s: see /data/postgres/server.log']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.checks).toBe(MAX_RESTARTS + 1); // no check after giving up
  });

  it('forgets deaths older than the window', async () => {
    vi.useFakeTimers();
    const { state, watched, release } = server();
    const reasons: string[] = [];
    watchServer(watched, { intervalMs: 1_000, giveUp: (reason) => reasons.push(reason.message) });
    for (let death = 1; death <= MAX_RESTARTS + 2; death++) {
      state.alive = false;
      await vi.advanceTimersByTimeAsync(1_000);
      release();
      await vi.advanceTimersByTimeAsync(RESTART_WINDOW_MS / MAX_RESTARTS); // spread over more than the window
    }
    expect(state.restarts).toBe(MAX_RESTARTS + 2);
    expect(reasons).toEqual([]);
  });

  it('gives up with the restart’s own reason when it fails', async () => {
    vi.useFakeTimers();
    const { state, watched } = server();
    const reasons: string[] = [];
    watchServer(
      { ...watched, restart: async () => Promise.reject(new Error('PostgreSQL did not start on port 5432')) },
      { intervalMs: 1_000, giveUp: (reason) => reasons.push(reason.message) },
    );
    state.alive = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reasons).toEqual(['PostgreSQL did not start on port 5432']);
    expect(state.checks).toBe(1);
  });
});
