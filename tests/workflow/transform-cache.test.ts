// Vitest's transforms kept on disk (vitest.config.ts: experimental.fsModuleCache)
// after the lockfile's hash changed, as an install or a new patch changes it:
// Vitest clears them, and the patch (patches/README.md) makes the cleared
// directory and its record of the hash come back at once. Without it the first
// run after an install failed when a reporter was loaded through Vitest's module
// runner (ENOENT on every write into the directory), and the next install no
// longer cleared anything.
import { execFile } from 'node:child_process';
import { readdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkingCopy } from '../support/working-copy.js';

const copy = useWorkingCopy('transform-cache');

beforeAll(async () => {
  await copy.create();
  await copy.write('reporter.tmp.mjs', 'export default class {}\n');
});

/** One unit file in the copy, with a reporter of the copy's own; its exit code and output. */
const runOnce = () =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', 'tests/unit/config.test.ts'].concat([
        '--reporter=default',
        '--reporter=./reporter.tmp.mjs',
      ]),
      {
        cwd: copy.dir,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
          NO_COLOR: '1',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });

/** The lockfile hash the cache is recorded for, or undefined without a record. */
async function recordedHash(): Promise<string | undefined> {
  const root = join(copy.dir, '.data', 'vitest-cache');
  for (const dir of await readdir(root)) {
    const text = await readFile(join(root, dir, '_metadata.json'), 'utf8').catch(() => undefined);
    if (text) return (JSON.parse(text) as { lockfileHash: string }).lockfileHash;
  }
  return undefined;
}

describe('the transform cache after an install', () => {
  it('passes the first run after the clear, and records the new lockfile', async () => {
    const first = await runOnce();
    expect(first.output).toMatch(/Test Files {2}1 passed \(1\)/);
    expect(first.code).toBe(0);
    const before = await recordedHash();
    expect(before).toMatch(/^\w+$/);

    // npm counts patches/'s time in the lockfile's hash; an install or a new patch changes it.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(copy.dir, 'patches'), later, later);
    const second = await runOnce();
    expect(second.output).not.toMatch(/ENOENT/);
    expect(second.output).toMatch(/Test Files {2}1 passed \(1\)/);
    expect(second.code).toBe(0);
    const after = await recordedHash();
    expect(after).toMatch(/^\w+$/);
    expect(after).not.toBe(before);
  });
});
