// The optional parts of the template (docs/extending.md, "What to remove when you
// copy it"): each one removed from a copy of the checkout, with what it needs
// gone too, leaves code that type-checks; all of them removed leave the static
// checks and npm test passing. The table in the docs is what is removed, so the
// docs and the check can't disagree.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/make.js';
import { useWorkingCopy } from '../support/working-copy.js';

const run = promisify(execFile);

interface Part {
  name: string;
  paths: string[];
  needs: string[];
}

/** The table's rows: a part, the paths it removes, the parts it needs gone too. */
async function optionalParts(): Promise<Part[]> {
  const docs = await readFile(join(ROOT, 'docs/extending.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## What to remove when you copy it'));
  const rows = section.split('\n').filter((line) => /^\| [^-|][^|]* \| `/.test(line));
  return rows.map((row) => {
    const [name = '', remove = '', needs = ''] = row
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    const paths = [...remove.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
    return { name, paths, needs: needs ? [needs.split(' (')[0] ?? ''] : [] };
  });
}

const parts = await optionalParts();
const pathsOf = (names: string[]) => parts.filter((part) => names.includes(part.name)).flatMap((part) => part.paths);

async function remove(dir: string, paths: string[]) {
  for (const path of paths) {
    await rm(join(dir, path), { recursive: true }); // fails for a path that isn't there: the table is out of date
  }
}

describe('the optional parts', () => {
  it('are the five the docs list, each with paths that exist', () => {
    expect(parts.map((part) => part.name)).toEqual([
      'benchmark',
      'scaled stack',
      'Kubernetes',
      'offline images',
      'containers tier',
    ]);
    for (const part of parts) {
      expect(part.paths.length, part.name).toBeGreaterThan(0);
      for (const path of part.paths) expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
    expect(parts.flatMap((part) => part.needs)).toEqual(['benchmark']);
  });

  describe.each(parts.map((part) => [part.name, part] as const))('without the %s', (_name, part) => {
    const copy = useWorkingCopy(`without-${part.name.replaceAll(' ', '-')}`);
    beforeAll(() => copy.create(), 60_000);

    it('the rest type-checks', async () => {
      await remove(copy.dir, pathsOf([part.name, ...part.needs]));
      await expect(run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: copy.dir })).resolves.toBeDefined();
    }, 120_000);
  });

  describe('without any of them', () => {
    const copy = useWorkingCopy('without-optional-parts');
    beforeAll(async () => {
      await copy.create();
      await remove(copy.dir, pathsOf(parts.map((part) => part.name)));
    }, 60_000);

    it('the static checks and npm test pass', async () => {
      await run('npm', ['run', '-s', 'check'], { cwd: copy.dir });
      const { stdout } = await run('npx', ['vitest', 'run', '--project', 'tiers'], {
        cwd: copy.dir,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
          NO_COLOR: '1',
        },
      });
      expect(stdout).toMatch(/Test Files {2}\d+ passed \(\d+\)/);
      expect(stdout).not.toMatch(/failed/);
    }, 240_000);
  });
});
