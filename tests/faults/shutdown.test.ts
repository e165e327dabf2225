// Promise 4: on SIGTERM the service stops accepting, lets in-flight requests
// finish, closes the pool and exits 0: no request sent before the signal fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { postNote, useFaultStack } from '../support/fault-stack.js';

const stack = useFaultStack({ SHUTDOWN_GRACE_MS: '5000' });
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

describe('graceful shutdown', () => {
  it('finishes every request sent before SIGTERM under load, then exits 0', async () => {
    const { url } = stack.service();
    const results: Array<{ sentAt: number; ok: boolean }> = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    let running = true;
    const loops = Array.from({ length: 16 }, async (_, writer) => {
      for (let i = 0; running; i++) {
        const sentAt = Date.now();
        try {
          const response = await postNote(url, `shutdown ${writer}/${i}`);
          results.push({ sentAt, ok: response.status === 201 });
        } catch {
          results.push({ sentAt, ok: false });
          if (sentAt > signalledAt) return; // the server is gone: expected after the signal
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    signalledAt = Date.now();
    const exitCode = await stack.service().stop('SIGTERM');
    running = false;
    await Promise.all(loops);

    expect(exitCode).toBe(0);
    const before = results.filter((result) => result.sentAt < signalledAt);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((result) => !result.ok)).toEqual([]);
  });
});
