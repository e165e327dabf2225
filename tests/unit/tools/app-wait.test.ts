// APP_WAIT_TIMEOUT_MS and APP_WAIT_INTERVAL_MS: one reading for the tests, the
// scripts and the scaled stack (tests/unit/tools/scaled-stack-settings.test.ts),
// so they can't disagree on a default.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config-reader.js';
import { readAppWait } from '../../../tools/app-wait.js';
import { readTestSettings } from '../../support/settings.js';

describe('readAppWait', () => {
  it('waits 60 s, trying every 50 ms, unless told', () => {
    expect(readAppWait({})).toEqual({ timeoutMs: 60_000, intervalMs: 50 });
    expect(readAppWait({ APP_WAIT_TIMEOUT_MS: '1500', APP_WAIT_INTERVAL_MS: '7' })).toEqual({
      timeoutMs: 1_500,
      intervalMs: 7,
    });
  });

  it.each([
    ['APP_WAIT_TIMEOUT_MS', '2s', 'APP_WAIT_TIMEOUT_MS must be a whole number from 0 to 3600000, got "2s"'],
    ['APP_WAIT_INTERVAL_MS', '0', 'APP_WAIT_INTERVAL_MS must be a whole number from 1 to 60000, got "0"'],
  ])('refuses %s=%s in one line naming it', (name, value, message) => {
    expect(() => readAppWait({ [name]: value })).toThrow(new ConfigError(message));
  });

  it('is what the tests read', () => {
    const env = { APP_WAIT_TIMEOUT_MS: '1234', APP_WAIT_INTERVAL_MS: '9' };
    expect(readTestSettings(env).appWait).toEqual({ timeoutMs: 1_234, intervalMs: 9 });
  });
});
