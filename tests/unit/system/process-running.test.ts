import { describe, expect, it } from 'vitest';
import { isRunning } from '../../../src/system/process-running.js';

describe('isRunning', () => {
  it('knows this process runs and a pid beyond the kernel limit does not', async () => {
    expect(await isRunning(process.pid)).toBe(true);
    expect(await isRunning(2_147_483_646)).toBe(false);
  });
});
