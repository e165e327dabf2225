// Waiting on a condition with a deadline, never a bare sleep (a retry loop like
// Python's tenacity): for the tests, the benchmark and scripts/wait-for-url alike.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isRunning } from '../src/system/process-running.js';
import { readAppWait } from './app-wait.js';

export interface Timing {
  timeoutMs: number;
  intervalMs: number;
}

export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, intervalMs }: Timing,
  /** Asked before each attempt: a reason ends the wait at once (what it waits for can no longer come). */
  hopeless: () => Promise<string | undefined> | string | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reasonToStop = await hopeless();
    if (reasonToStop) throw new Error(`${what}: ${reasonToStop}`);
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

/**
 * One GET of `url` that answers 200, else throws why (a status, a refused
 * connection, no answer in time). With `stack`, the JSON answer must also name
 * that stack (GET / answers STACK_ID as `stack`): a server that isn't it is no answer.
 */
export async function expectHttp200(url: string, answerWithinMs: number, stack?: string): Promise<void> {
  // A timer of our own, not AbortSignal.timeout: that one doesn't keep the process
  // alive, and a request that a port proxy accepted but nobody answers (docker-proxy
  // before its container listens) holds nothing else that does: a script waiting
  // here would exit with code 13 mid-wait.
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(new Error(`no answer within ${answerWithinMs} ms`)), answerWithinMs);
  try {
    const response = await fetch(url, { signal: attempt.signal });
    if (response.status !== 200 || stack === undefined) {
      await response.body?.cancel();
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      return;
    }
    const answered = ((await response.json().catch(() => ({}))) as { stack?: unknown }).stack;
    if (answered !== stack) {
      throw new Error(
        `another server answers, not stack ${stack} (it names ${answered ? `stack ${answered}` : 'no stack'})`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when GET `url` answers 200 (naming `stack`, when given); `hopeless` as for waitFor. */
export function waitForHttp200(
  url: string,
  timing: Timing,
  { stack, hopeless }: { stack?: string; hopeless?: () => Promise<string | undefined> } = {},
): Promise<void> {
  return waitFor(
    `${url} did not answer 200${stack ? ` as stack ${stack}` : ''}`,
    () => expectHttp200(url, Math.max(timing.intervalMs * 5, 1_000), stack),
    timing,
    hopeless,
  );
}

function reason(error: unknown): string {
  if (error === undefined) return 'no attempt';
  // fetch's own message is only "fetch failed"; the cause says why.
  const { cause, message } = error as Error & { cause?: { code?: string; message?: string } };
  return cause?.code ?? cause?.message ?? message;
}

const USAGE = 'usage: scripts/wait-for-url [--once] [--stack ID] [--pid PID] URL';

/** The command's words, by node:util's parseArgs; throws on anything else. */
function parseUsage(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { once: { type: 'boolean' }, stack: { type: 'string' }, pid: { type: 'string' } },
  });
  const [url, ...extra] = positionals;
  if (!url || extra.length || (values.pid !== undefined && !/^\d+$/.test(values.pid))) throw new Error(USAGE);
  return { once: values.once === true, stack: values.stack, pid: values.pid, url };
}

/**
 * scripts/wait-for-url: `[--once] [--stack ID] [--pid PID] URL`, with
 * APP_WAIT_TIMEOUT_MS and APP_WAIT_INTERVAL_MS (tools/app-wait.ts). --stack: only an
 * answer naming that stack counts; --pid: the wait ends as soon as that process
 * (the one that should answer) has died. Returns the exit code: 0 answered 200,
 * 1 not, 2 bad usage.
 */
export async function waitForUrlCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseUsage>;
  try {
    parsed = parseUsage(args);
  } catch {
    console.error(USAGE);
    return 2;
  }
  const { once, stack, pid, url } = parsed;
  let timing: Timing;
  try {
    timing = readAppWait(env);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  try {
    // A zombie counts as exited: the shell that started it may not have reaped it yet.
    const hopeless = pid
      ? async () => ((await isRunning(Number(pid))) ? undefined : `process ${pid} has exited`)
      : undefined;
    await (once
      ? expectHttp200(url, Math.max(timing.intervalMs, 1_000), stack)
      : waitForHttp200(url, timing, { stack, hopeless }));
    return 0;
  } catch (error) {
    if (!once) console.error((error as Error).message);
    return 1;
  }
}
