// Waiting on a condition with a deadline, never a bare sleep (the talk's tenacity).
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await sleep(intervalMs);
    }
  }
  throw new Error(`${what} within ${timeoutMs} ms (last: ${(lastError as Error)?.message ?? 'no attempt'})`);
}

/** Resolves when GET `url` answers 200. */
export function waitForHttp200(url: string, timing: { timeoutMs: number; intervalMs: number }): Promise<void> {
  return waitFor(
    `${url} did not answer 200`,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(timing.intervalMs * 5) });
      if (response.status !== 200) throw new Error(`status ${response.status}`);
    },
    timing,
  );
}
