import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isRunning } from '../../../src/system/process-running.js';
import { waitFor } from '../../../tools/wait.js';

describe('isRunning', () => {
  it('knows this process runs and a pid beyond the kernel limit does not', async () => {
    expect(await isRunning(process.pid)).toBe(true);
    expect(await isRunning(2_147_483_646)).toBe(false);
  });

  it('takes a zombie (dead, not yet reaped by its parent) for gone', async () => {
    // The background sleep ends after the shell has become `sleep 30` (exec),
    // which never reaps it: a zombie for as long as the sleep lasts.
    const shell = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    onTestFinished(() => {
      shell.kill('SIGKILL');
    });
    const pid = Number((await once(shell.stdout, 'data'))[0].toString().trim());
    const state = async () => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    };
    await waitFor(
      'the background process to exit',
      async () => {
        if ((await state()) !== 'Z') throw new Error('not a zombie yet');
      },
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    expect(await isRunning(pid)).toBe(false);
    expect(await isRunning(shell.pid as number)).toBe(true);
  });
});
