// A process of its own that outlives the command that starts it (the scaled
// stack's parts): spawned detached, in a process group of its own, writing to its
// log file; waited for until it is ready, failing at once with the end of its log
// if it exits first; stopped by a signal to its group, with SIGKILL past a time.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning } from '../src/system/process-running.js';
import { logTail } from './log-tail.js';
import { type Timing, waitFor } from './wait.js';

/** Starts `command` detached, its output appended to `logFile`; resolves with its pid once it has spawned. */
export async function launchDetached(
  command: string,
  args: string[],
  { cwd, env, logFile }: { cwd: string; env: Record<string, string>; logFile: string },
): Promise<number> {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject); // ENOENT: no such command
  });
  child.unref();
  return child.pid as number;
}

/**
 * Waits for `ready` within `wait`, and fails at once if `pid` exits first, even
 * while an attempt of `ready` hangs; a failure's message ends with the last lines
 * of `logFile`.
 */
export async function untilReady(
  name: string,
  ready: () => Promise<unknown>,
  { pid, wait, logFile }: { pid?: number; wait: Timing; logFile: string },
): Promise<void> {
  let waiting = true;
  const exited = async () => {
    while (waiting && (pid === undefined || (await isRunning(pid)))) await sleep(100);
    if (waiting) throw new Error(`${name} exited before it was ready`);
  };
  try {
    await Promise.race([waitFor(`${name} was not ready`, ready, wait), ...(pid ? [exited()] : [])]);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the end of ${logFile}:\n${await logTail(logFile)}`);
  } finally {
    waiting = false;
  }
}

/** Resolves once something accepts a TCP connection on 127.0.0.1:`port`, rejects if refused. */
export function acceptsConnections(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** Sends `signal` to the process group `pid` leads and resolves once it has exited; SIGKILLs it past `timeoutMs`. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const signalGroup = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {}
    }
  };
  signalGroup(signal);
  const deadline = Date.now() + timeoutMs;
  let killed = false;
  // Until it is gone, SIGKILLed or not: a killed process still takes a moment to die.
  while (await isRunning(pid)) {
    if (!killed && Date.now() > deadline) {
      signalGroup('SIGKILL');
      killed = true;
    }
    await sleep(50);
  }
}
