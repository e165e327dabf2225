// The scaled stack's settings (tools/scaled-stack-command.ts): its waits are the
// ones everything else reads (tools/app-wait.ts).
import { describe, expect, it } from 'vitest';
import { scaledStackSettings } from '../../../tools/scaled-stack-command.js';

describe('scaledStackSettings', () => {
  it('waits as APP_WAIT_TIMEOUT_MS and APP_WAIT_INTERVAL_MS say, 60 s every 50 ms unless told', () => {
    expect(scaledStackSettings({}).wait).toEqual({ timeoutMs: 60_000, intervalMs: 50 });
    const env = { APP_WAIT_TIMEOUT_MS: '1234', APP_WAIT_INTERVAL_MS: '9' };
    expect(scaledStackSettings(env).wait).toEqual({ timeoutMs: 1_234, intervalMs: 9 });
  });
});
