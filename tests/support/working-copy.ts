// A copy of the checkout for the tests that edit sources (reloading), so an edit
// never touches the developer's files: the working tree as git sees it (tracked
// and untracked, not ignored, edits included), with the checkout's packages
// linked in as after `make setup_development`. Removed after the test file.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from './make.js';

export interface WorkingCopy {
  readonly dir: string;
  /** Makes the copy; call it in beforeAll (the path is known before, for harnesses that need it). */
  create(): Promise<void>;
  /**
   * Rewords the 404 for an unknown route in the copy's src/ (`no route for` →
   * `no route <wording> for`), as an editor saves a file; returns how to tell it is served.
   */
  rewordNotFound(wording: string): Promise<(message: string) => boolean>;
  /** Writes a file of the copy, as an editor saves it. */
  write(path: string, text: string): Promise<void>;
}

export function useWorkingCopy(label: string): WorkingCopy {
  const dir = join(tmpdir(), `notes-${label}-${process.pid}-${randomUUID().slice(0, 8)}`);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  let notFound: { file: string; original: string } | undefined;
  return {
    dir,
    async create() {
      await mkdir(dir);
      const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).split('\0');
      for (const file of files.filter(Boolean)) {
        await cp(join(ROOT, file), join(dir, file), { recursive: true, verbatimSymlinks: true }).catch((error) => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted in the working tree
        });
      }
      // Each package linked, but npm's record of the install copied: a test may touch it (a reinstall, to Vitest).
      await mkdir(join(dir, 'node_modules'));
      for (const entry of await readdir(join(ROOT, 'node_modules'))) {
        const from = join(ROOT, 'node_modules', entry);
        if (entry === '.package-lock.json')
          await cp(from, join(dir, 'node_modules', entry), { preserveTimestamps: true });
        else await symlink(from, join(dir, 'node_modules', entry));
      }
    },
    async rewordNotFound(wording) {
      notFound ??= await findNotFoundWording(join(dir, 'src'));
      await writeFile(notFound.file, notFound.original.replace('no route for ', `no route ${wording} for `));
      return (message) => message.includes(`no route ${wording} for `);
    },
    write: (path, text) => writeFile(join(dir, path), text),
  };
}

/** The file under src/ that words the 404 for an unknown route, wherever it lives. */
async function findNotFoundWording(src: string): Promise<{ file: string; original: string }> {
  for (const entry of await readdir(src, { recursive: true })) {
    if (!entry.endsWith('.ts')) continue;
    const original = await readFile(join(src, entry), 'utf8');
    if (original.includes('no route for ')) return { file: join(src, entry), original };
  }
  throw new Error('no file under src/ words "no route for"');
}
