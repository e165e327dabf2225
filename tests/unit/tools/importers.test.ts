// tools/importers.ts: which test files watch mode reruns for a saved module, and
// what a process entry loads before its first import() (vitest.config.ts's
// FAILING_STARTS), read from a tree of sources written here.
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
    "import {\n  type Shape,\n  b,\n} from './b.js';",
    "import './side-effect.js';",
    "export { c } from './c.js';",
    "import pino from 'pino';",
    "const later = () => import('./app.js');",
    'const text = \'not an import from "./quoted.js"\';',
  ].join('\n'),
  'src/a.ts': "import { deep } from './deep/d.js';\nexport const a = deep;\n",
  'src/deep/d.ts': 'export const deep = 1;\n',
  'src/b.ts': 'export const b = 2; export type Shape = {};\n',
  'src/c.ts': 'export const c = 3;\n',
  'src/side-effect.ts': 'globalThis.x = 1;\n',
  'src/typed.ts': "import { app } from './app.js';\nexport type Hidden = typeof app;\n",
  'src/app.ts': "import { route } from './route.js';\nexport const app = route;\n",
  'src/route.ts': 'export const route = 4;\n',
  'src/quoted.ts': 'export const quoted = 5;\n',
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
  it('follows the static imports, multi-line and re-exports and side effects included, but not import type or import()', () => {
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
});
