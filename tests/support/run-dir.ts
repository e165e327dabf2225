// A temporary directory a test run owns, for a throw-away PostgreSQL: named so
// that the next run's global setup finds it, and marked with this process's pid,
// so that a run killed before its cleanup (kill -9, a test runner cut off at a
// timeout) leaves nothing running for long: the next run stops its server and
// removes it once the pid is gone.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_FILE } from '../../src/db/embedded-files.js';

export const RUN_DIR_PREFIX = 'notes-service-test-';

export async function claimRunDir(label = ''): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${RUN_DIR_PREFIX}${label}`));
  await chmod(dir, 0o755); // PostgreSQL may run as another OS user: let it reach its data directory
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`); // this run owns it: reapers keep off
  return dir;
}
