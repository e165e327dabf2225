// Waiting on a condition with a deadline, never a bare sleep (the talk's
// tenacity): for the tests, the benchmark and scripts/wait-for-url.ts alike.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Timing {
  timeoutMs: number;
  intervalMs: number;
}

export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, intervalMs }: Timing,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`${what} within ${timeoutMs} ms (last: ${reason(lastError)})`);
}

/** One GET of `url` that answers 200, else throws why (a status, a refused connection, no answer in time). */
export async function expectHttp200(url: string, answerWithinMs: number): Promise<void> {
  // A timer of our own, not AbortSignal.timeout: that one doesn't keep the process
  // alive, and a request that a port proxy accepted but nobody answers (docker-proxy
  // before its container listens) holds nothing else that does: a script waiting
  // here would exit with code 13 mid-wait.
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(new Error(`no answer within ${answerWithinMs} ms`)), answerWithinMs);
  try {
    const response = await fetch(url, { signal: attempt.signal });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when GET `url` answers 200. */
export function waitForHttp200(url: string, timing: Timing): Promise<void> {
  return waitFor(`${url} did not answer 200`, () => expectHttp200(url, Math.max(timing.intervalMs * 5, 1_000)), timing);
}

function reason(error: unknown): string {
  if (error === undefined) return 'no attempt';
  // fetch's own message is only "fetch failed"; the cause says why.
  const { cause, message } = error as Error & { cause?: { code?: string; message?: string } };
  return cause?.code ?? cause?.message ?? message;
}
