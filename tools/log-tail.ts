// The end of a process's log, for the one message that says why it didn't come
// up: the last lines written since `fromByte` (a log may hold earlier runs').
import { readFile } from 'node:fs/promises';

export async function logTail(file: string, fromByte = 0, lines = 5): Promise<string> {
  const written = await readFile(file).catch(() => Buffer.alloc(0));
  return written.subarray(fromByte).toString('utf8').trim().split('\n').slice(-lines).join('\n');
}
