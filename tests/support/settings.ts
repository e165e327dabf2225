// The test suite's own settings, from the environment like the service's (what
// the global setup hands to test files is in ./provided.ts).

export interface TestSettings {
  appUrl: string | undefined;
  /** The service's own API_TOKEN: the external tier sends it, so it runs against a protected deployment too. */
  apiToken: string | undefined;
  /** The STACK_ID of the stack under test (make test sets it): what its GET / answers as `stack`. */
  stackId: string | undefined;
  appWait: { timeoutMs: number; intervalMs: number };
}

export function readTestSettings(env: NodeJS.ProcessEnv = process.env): TestSettings {
  const ms = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
    return Number(value);
  };
  return {
    appUrl: env.APP_URL?.replace(/\/+$/, '') || undefined,
    apiToken: env.API_TOKEN || undefined,
    stackId: env.STACK_ID || undefined,
    appWait: { timeoutMs: ms('APP_WAIT_TIMEOUT_MS', 30_000), intervalMs: ms('APP_WAIT_INTERVAL_MS', 50) },
  };
}
