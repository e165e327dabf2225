// PgBouncer goes away and comes back: meanwhile every answer through the balancer
// is a 503 in the error shape with Retry-After (an instance's database_unavailable,
// or the balancer's no_instance_available once every instance reads unready), never
// a 500; once PgBouncer is back, the same instances serve again, none restarted.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { useScaledStack } from '../support/scaled-stack.js';

const scaled = useScaledStack();

const create = (url: string, contents: string) =>
  fetch(`${url}/notes/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents }),
    signal: AbortSignal.timeout(15_000),
  });

describe('a PgBouncer restart', () => {
  it('answers 503s while it is away and recovers without restarting any instance', async () => {
    const stack = scaled.stack();
    const pids = [0, 1, 2].map((i) => stack.instancePid(i));
    expect((await create(stack.url, 'before the pooler restart')).status).toBe(201);

    await stack.stopPgbouncer();
    const answers: Array<{ status: number; error?: string; retryAfter: string | null }> = [];
    for (let i = 0; i < 20; i++) {
      const response = await create(stack.url, `while the pooler is away ${i}`);
      const body = (await response.json()) as { error?: string };
      answers.push({ status: response.status, error: body.error, retryAfter: response.headers.get('retry-after') });
    }
    expect(answers.filter((a) => a.status !== 503 || a.retryAfter !== '1')).toEqual([]);
    expect(answers.filter((a) => !['database_unavailable', 'no_instance_available'].includes(a.error ?? ''))).toEqual(
      [],
    );

    const restartedAt = Date.now();
    await stack.startPgbouncer();
    await waitFor(
      'no create succeeded after PgBouncer came back',
      async () => {
        const response = await create(stack.url, 'after the pooler restart');
        if (response.status !== 201) throw new Error(`status ${response.status}`);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    console.log(`PgBouncer restart: serving again ${Date.now() - restartedAt} ms after it was back`);
    expect([0, 1, 2].map((i) => stack.instancePid(i))).toEqual(pids);
  }, 120_000);
});
