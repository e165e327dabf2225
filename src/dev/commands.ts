// Running the embedded PostgreSQL's tools (initdb, pg_ctl, useradd), and saying
// in one line why one failed: the last line of its output that gives a reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export function lastLine(text: string | undefined, matching?: RegExp): string {
  const lines = (text ?? '').split('\n').filter((line) => line.trim() && (!matching || matching.test(line)));
  return lines.at(-1)?.trim() ?? 'no output';
}
