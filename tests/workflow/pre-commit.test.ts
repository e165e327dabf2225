// The pre-commit hook that npm ci installs (scripts/install-git-hooks): in a
// copy of the working tree made a git repository, a commit formats the staged
// files, refuses one that fails the lint, leaves what isn't staged alone, and
// `git commit --no-verify` goes past it. Each commit's time is printed.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkingCopy } from '../support/working-copy.js';

const run = promisify(execFile);
const copy = useWorkingCopy('pre-commit');
const git = (...args: string[]) =>
  run('git', args, {
    cwd: copy.dir,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
    },
  });

/** git commit, timed; its exit code and output. */
async function commit(...args: string[]): Promise<{ code: number; output: string }> {
  const started = performance.now();
  const result = await git('commit', ...args).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
  console.log(`pre-commit: git commit ${args.join(' ')} took ${Math.round(performance.now() - started)} ms`);
  return result;
}

beforeAll(async () => {
  await copy.create();
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '--no-verify', '-m', 'the working tree');
  // What npm ci runs after installing (its prepare step), as make setup_development does.
  const { stdout } = await run('npm', ['run', '-s', 'prepare'], { cwd: copy.dir });
  expect(stdout).toContain('Successfully set the pre-commit');
}, 60_000);

describe('the pre-commit hook', () => {
  it('formats the staged files and commits them so, leaving files that are not staged alone', async () => {
    await copy.write('src/staged.ts', 'export const staged   =  1\n');
    await copy.write('src/not-staged.ts', 'export const notStaged   =  1\n');
    await git('add', 'src/staged.ts');
    const result = await commit('-m', 'staged');
    expect(result.code).toBe(0);
    expect((await git('show', 'HEAD:src/staged.ts')).stdout).toBe('export const staged = 1;\n');
    expect(await readFile(join(copy.dir, 'src/not-staged.ts'), 'utf8')).toBe('export const notStaged   =  1\n');
    expect((await git('status', '--porcelain', 'src/not-staged.ts')).stdout).toBe('?? src/not-staged.ts\n');
  });

  it('refuses a commit whose staged file fails the lint, and commits nothing', async () => {
    const head = (await git('rev-parse', 'HEAD')).stdout;
    await copy.write('src/linted.ts', 'export function stop() {\n  debugger;\n}\n');
    await git('add', 'src/linted.ts');
    const result = await commit('-m', 'linted');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('noDebugger');
    expect((await git('rev-parse', 'HEAD')).stdout).toBe(head);
  });

  it('is gone past with git commit --no-verify', async () => {
    const result = await commit('--no-verify', '-m', 'past the hook');
    expect(result.code).toBe(0);
    expect((await git('show', 'HEAD:src/linted.ts')).stdout).toContain('debugger;');
  });
});
