// The test suite's own settings, from the environment like the service's (what
// the global setup hands to test files is in ./provided.ts).
import { readAppWait } from '../../tools/app-wait.js';

export interface TestSettings {
  appUrl: string | undefined;
  /** The service's own API_TOKEN: the external tier sends it, so it runs against a protected deployment too. */
  apiToken: string | undefined;
  /** The STACK_ID of the stack under test (make test sets it): what its GET / answers as `stack`. */
  stackId: string | undefined;
  appWait: { timeoutMs: number; intervalMs: number };
}

export function readTestSettings(env: NodeJS.ProcessEnv = process.env): TestSettings {
  return {
    appUrl: env.APP_URL?.replace(/\/+$/, '') || undefined,
    apiToken: env.API_TOKEN || undefined,
    stackId: env.STACK_ID || undefined,
    appWait: readAppWait(env),
  };
}
