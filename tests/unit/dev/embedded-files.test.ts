import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canTraverse, readLiveServer } from '../../../src/dev/embedded-files.js';

const postgresUser = { uid: 999, gid: 999 };

describe('canTraverse', () => {
  it.each([
    ['a root-owned 755 directory', { uid: 0, gid: 0, mode: 0o40755 }, true],
    ['a root-owned 700 directory, like /root or a mktemp -d directory', { uid: 0, gid: 0, mode: 0o40700 }, false],
    ['a 750 directory of its group', { uid: 0, gid: 999, mode: 0o40750 }, true],
    ['a 700 directory it owns', { uid: 999, gid: 0, mode: 0o40700 }, true],
    ['a 701 directory: search without listing is enough', { uid: 0, gid: 0, mode: 0o40701 }, true],
    ['a 075 directory it owns: the owner bits apply, not the others', { uid: 999, gid: 0, mode: 0o40075 }, false],
  ])('for %s: %s', (_case, directory, expected) => {
    expect(canTraverse(directory, postgresUser)).toBe(expected);
  });
});

describe('readLiveServer', () => {
  it('ignores a postmaster.pid whose process is not a postgres', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-pid-'));
    try {
      await writeFile(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n1700000000\n5432\n\n127.0.0.1\n`);
      expect(await readLiveServer(dir)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('ignores a stale postmaster.pid left by a server killed with kill -9', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-pid-'));
    try {
      await writeFile(join(dir, 'postmaster.pid'), `2147483646\n${dir}\n1700000000\n5432\n`);
      expect(await readLiveServer(dir)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
