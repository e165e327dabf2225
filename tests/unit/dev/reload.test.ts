// npm run dev's handling of saves: one rebuild per burst, one at a time, and a
// failed one never ends the chain.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onEachSave } from '../../../src/dev/reload.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('onEachSave', () => {
  it('calls once for a burst of saves closer together than the debounce', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const saves = onEachSave(
      async () => {
        calls++;
      },
      () => {},
      30,
    );
    for (let i = 0; i < 3; i++) {
      saves.changed();
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toBe(1);
    await saves.close();
  });

  it('goes on with the next save after one that failed, reporting the failure', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const failure = new Error('listen EADDRINUSE');
    const saves = onEachSave(
      async () => {
        calls++;
        if (calls === 1) throw failure;
      },
      (error) => errors.push(error),
      30,
    );
    saves.changed();
    await vi.advanceTimersByTimeAsync(30);
    saves.changed();
    await vi.advanceTimersByTimeAsync(30);
    await saves.close();
    expect(calls).toBe(2);
    expect(errors).toEqual([failure]);
  });

  it('runs one call at a time: a save during a slow rebuild waits for it', async () => {
    vi.useFakeTimers();
    const order: string[] = [];
    let release = () => {};
    const saves = onEachSave(
      async () => {
        const n = order.filter((entry) => entry.startsWith('start')).length + 1;
        order.push(`start ${n}`);
        if (n === 1) await new Promise<void>((resolve) => (release = resolve));
        order.push(`end ${n}`);
      },
      () => {},
      30,
    );
    saves.changed();
    await vi.advanceTimersByTimeAsync(30);
    saves.changed();
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['start 1']);
    release();
    await saves.close();
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('lets close() wait for the rebuild under way and drop a save still in its debounce', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const saves = onEachSave(
      async () => {
        calls++;
      },
      () => {},
      30,
    );
    saves.changed();
    await saves.close();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(0);
  });
});
