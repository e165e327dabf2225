// tools/importers.ts: which test files watch mode reruns for a saved module, and
// what a process entry loads before its first import() (vitest.config.ts's
// FAILING_STARTS, the watch mode's swap or restart), read from a tree of sources
// written here.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modulesLoadedWith, testFilesImporting } from '../../../tools/importers.js';

let root: string;
const SOURCES: Record<string, string> = {
  'src/entry.ts': [
    "import { a } from './a.js';",
    "import type { Hidden } from './typed.js';",
    "import {\n  type Shape,\n  b, // the app's: a comment with a quote\n} from './b.js';",
    "import { onlyAType } from './type-use.js';",
    "import './side-effect.js';",
    "export { c } from './c.js';",
    "import pino from 'pino';",
    'export type Later = { x: number }',
    "const later = () => import('./app.js');",
    'const text = \'not an import from "./quoted.js"\';',
    'export const used = [a, b, pino, later, text] as const;',
    'export type Both = Hidden | Shape | typeof onlyAType;',
  ].join('\n'),
  'src/a.ts': "import { deep } from './deep/d.js';\nexport const a = deep;\n",
  'src/deep/d.ts': 'export const deep = 1;\n',
  'src/b.ts': 'export const b = 2;\nexport type Shape = {};\n',
  'src/c.ts': 'export const c = 3;\n',
  'src/type-use.ts': 'export const onlyAType = 6;\n',
  'src/side-effect.ts': '(globalThis as { x?: number }).x = 1;\n',
  'src/typed.ts': "import { app } from './app.js';\nexport type Hidden = typeof app;\n",
  'src/app.ts': "import { route } from './route.js';\nexport const app = route;\n",
  'src/route.ts': 'export const route = 4;\n',
  'src/quoted.ts': 'export const quoted = 5;\n',
  'src/broken.ts': "import { gone } from './gone.js';\nexport const broken = gone;\n",
  'src/unparsable.ts': 'export const = ;\n',
  'tests/unit/route.test.ts': "import { app } from '../../src/app.js';\n",
  'tests/unit/entry.test.ts': "import '../../src/entry.js';\n",
  'tests/unit/alone.test.ts': "import { c } from '../../src/c.js';\n",
  'tests/support/helper.ts': "export { route } from '../../src/route.js';\n",
  'tests/integrated/through-helper.test.ts': "import { route } from '../support/helper.js';\n",
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notes-importers-'));
  for (const [file, text] of Object.entries(SOURCES)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('testFilesImporting', () => {
  it('names the test files that reach a module through any import, helpers and import() included', () => {
    expect(testFilesImporting(root, 'src/route.ts', ['src', 'tests']).sort()).toEqual([
      'tests/integrated/through-helper.test.ts',
      'tests/unit/entry.test.ts',
      'tests/unit/route.test.ts',
    ]);
    expect(testFilesImporting(root, 'src/deep/d.ts', ['src', 'tests'])).toEqual(['tests/unit/entry.test.ts']);
    expect(testFilesImporting(root, 'tests/unit/alone.test.ts', ['src', 'tests'])).toEqual([
      'tests/unit/alone.test.ts',
    ]);
  });
});

describe('modulesLoadedWith', () => {
  it('follows what runs as the entry loads: static imports, re-exports, side effects; not types, nor import()', () => {
    expect(modulesLoadedWith(root, ['src/entry.ts'])).toEqual([
      'src/a.ts',
      'src/b.ts',
      'src/c.ts',
      'src/deep/d.ts',
      'src/entry.ts',
      'src/side-effect.ts',
    ]);
  });

  it('unites the graphs of several entries', () => {
    expect(modulesLoadedWith(root, ['src/a.ts', 'src/app.ts'])).toEqual([
      'src/a.ts',
      'src/app.ts',
      'src/deep/d.ts',
      'src/route.ts',
    ]);
  });

  it('can’t tell while an import names a file that isn’t there, or a file doesn’t parse', () => {
    expect(modulesLoadedWith(root, ['src/broken.ts'])).toBeUndefined();
    expect(modulesLoadedWith(root, ['src/unparsable.ts'])).toBeUndefined();
    expect(modulesLoadedWith(root, ['src/missing-entry.ts'])).toBeUndefined();
  });
});
