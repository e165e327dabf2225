// Waiting on a condition with a deadline, never a bare sleep (the talk's
// tenacity): for the tests, the benchmark and scripts/wait-for-url alike.
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

/**
 * scripts/wait-for-url: `[--once] URL`, with APP_WAIT_TIMEOUT_MS (60000) and
 * APP_WAIT_INTERVAL_MS (200). Returns the exit code: 0 answered 200, 1 not, 2 bad usage.
 */
export async function waitForUrlCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const once = args.includes('--once');
  const url = args.find((arg) => !arg.startsWith('--'));
  if (!url) {
    console.error('usage: scripts/wait-for-url [--once] URL');
    return 2;
  }
  const ms = (name: string, fallback: number) => {
    const value = env[name] || String(fallback);
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
    return Number(value);
  };
  let timing: Timing;
  try {
    timing = { timeoutMs: ms('APP_WAIT_TIMEOUT_MS', 60_000), intervalMs: ms('APP_WAIT_INTERVAL_MS', 200) };
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  try {
    await (once ? expectHttp200(url, Math.max(timing.intervalMs, 1_000)) : waitForHttp200(url, timing));
    return 0;
  } catch (error) {
    if (!once) console.error((error as Error).message);
    return 1;
  }
}
