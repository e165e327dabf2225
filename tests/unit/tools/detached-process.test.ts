// The scaled stack's parts as detached processes (tools/detached-process.ts):
// a part that dies while it is waited for ends the wait at once, with its log.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../../src/system/process-running.js';
import { launchDetached, stopProcess, untilReady } from '../../../tools/detached-process.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const logIn = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'notes-detached-'));
  dirs.push(dir);
  return join(dir, 'part.log');
};

describe('a detached part', () => {
  it('that exits while it is waited for ends the wait at once, naming it and quoting its log', async () => {
    const logFile = await logIn();
    const script = 'console.error("first line"); console.error("FATAL: no config"); process.exit(3)';
    const pid = await launchDetached(process.execPath, ['-e', script], { cwd: tmpdir(), env: {}, logFile });
    const started = Date.now();
    const failure = await untilReady('the part', () => new Promise(() => {}), {
      pid,
      wait: { timeoutMs: 60_000, intervalMs: 20 },
      logFile,
    }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `the part exited before it was ready; the end of ${logFile}:\nfirst line\nFATAL: no config`,
    );
    expect(Date.now() - started).toBeLessThan(30_000); // far from the minute it was allowed
  });

  it('is stopped, with SIGKILL once the time is past, when it ignores SIGTERM', async () => {
    const logFile = await logIn();
    const script = 'process.on("SIGTERM", () => {}); console.log("deaf"); setInterval(() => {}, 1000)';
    const pid = await launchDetached(process.execPath, ['-e', script], { cwd: tmpdir(), env: {}, logFile });
    // Ready once it says so: its handler is in place.
    const deaf = async () => {
      if (!(await readFile(logFile, 'utf8')).includes('deaf')) throw new Error('not yet');
    };
    await untilReady('the part', deaf, { pid, wait: { timeoutMs: 10_000, intervalMs: 20 }, logFile });
    await stopProcess(pid, 'SIGTERM', 300);
    expect(await isRunning(pid)).toBe(false);
  });
});
