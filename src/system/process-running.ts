// Whether a process is alive, asked by whoever keeps a pid: the embedded
// PostgreSQL's pid files, the test runs' owner files, the scaled stack's state.
import { readFile } from 'node:fs/promises';

/** Is `pid` a live process? A zombie (killed, not yet reaped by its parent) is not. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // Field 3, after the parenthesised command name, is the state; no /proc (macOS): trust kill().
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
