// A temporary directory a test run owns, for a throw-away PostgreSQL: named so
// that the next run's global setup finds it, and marked with this process's pid,
// so that a run killed before its cleanup (kill -9, a test runner cut off at a
// timeout) leaves nothing running for long: the next run stops its server and
// removes it once the pid is gone.
import { accessSync, constants, statfsSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_FILE } from '../../src/dev/embedded-files.js';

export const RUN_DIR_PREFIX = 'notes-service-test-';

const MEMORY_DIR = '/dev/shm';
const MEMORY_DIR_MIN_FREE = 1024 ** 3;

/**
 * Where run directories go: TMPDIR when it is set; else Linux's memory-backed
 * /dev/shm when it has room (a container's is 64 MB), else the OS's temporary directory. A cluster is a
 * thousand files, and CREATE DATABASE copies as many again: on this project's
 * two-core VM, creating them took 1 s on the disk and 0.08 s in memory. Nothing
 * in them must survive the run, so nothing is lost.
 */
export const RUN_ROOT = ((): string => {
  if (process.env.TMPDIR) return tmpdir(); // a place asked for: kept to
  try {
    const { bavail, bsize } = statfsSync(MEMORY_DIR);
    accessSync(MEMORY_DIR, constants.W_OK);
    if (bavail * bsize >= MEMORY_DIR_MIN_FREE) return MEMORY_DIR;
  } catch {}
  return tmpdir();
})();

export async function claimRunDir(label = ''): Promise<string> {
  const dir = await mkdtemp(join(RUN_ROOT, `${RUN_DIR_PREFIX}${label}`));
  await chmod(dir, 0o755); // PostgreSQL may run as another OS user: let it reach its data directory
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`); // this run owns it: reapers keep off
  return dir;
}
