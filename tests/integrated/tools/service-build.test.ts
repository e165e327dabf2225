// The tests' build of a service entry (tools/service-build.ts), on a small tree of
// its own: a build is made again exactly when a file it was made of changed, and
// taken as it is otherwise, so a service started after a save runs the saved code.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundle } from '../../../tools/service-build.js';

describe('bundle', () => {
  let root: string;
  const write = (path: string, text: string) => writeFile(join(root, path), text);
  /** What the built entry prints when node runs it. */
  const run = (file: string) => execFileSync(process.execPath, [file], { encoding: 'utf8' });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'notes-service-build-'));
    await mkdir(join(root, 'src'));
    await write('src/entry.ts', "import { word } from './word.js';\nconsole.log(word satisfies string);\n");
    await write('src/word.ts', "export const word = 'first';\n");
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('builds an entry once and takes that build while none of its files changed', async () => {
    const first = await bundle(root, 'src/entry.ts');
    expect(first.reused).toBe(false);
    expect(run(first.file)).toBe('first\n');
    await write('src/unrelated.ts', 'export const x = 1;\n'); // not part of the build
    expect(await bundle(root, 'src/entry.ts')).toEqual({ file: first.file, reused: true });
  });

  it('builds again when a file it imports changed, and the new build runs the new code', async () => {
    const first = await bundle(root, 'src/entry.ts');
    await write('src/word.ts', "export const word = 'second';\n");
    const second = await bundle(root, 'src/entry.ts');
    expect(second.reused).toBe(false);
    expect(second.file).not.toBe(first.file);
    expect(run(second.file)).toBe('second\n');
    // Back to the first contents: that build is found again by its name, and it is the one recorded now.
    await write('src/word.ts', "export const word = 'first';\n");
    expect(await bundle(root, 'src/entry.ts')).toEqual({ file: first.file, reused: false });
    expect(await bundle(root, 'src/entry.ts')).toEqual({ file: first.file, reused: true });
  });

  it('builds again when the tree’s tsconfig.json changed, which esbuild reads itself', async () => {
    const first = await bundle(root, 'src/entry.ts');
    await write('tsconfig.json', '{ "compilerOptions": { "target": "es2022" } }\n');
    expect(await bundle(root, 'src/entry.ts')).toEqual({ file: first.file, reused: false });
    expect(await bundle(root, 'src/entry.ts')).toEqual({ file: first.file, reused: true });
  });

  it('builds again when a file of the build is gone, or a file it was made of', async () => {
    const first = await bundle(root, 'src/entry.ts');
    await rm(first.file);
    const again = await bundle(root, 'src/entry.ts');
    expect(again).toEqual({ file: first.file, reused: false });
    expect(run(again.file)).toBe('first\n');
    await rm(join(root, 'src/word.ts'));
    await expect(bundle(root, 'src/entry.ts')).rejects.toThrow(/Could not resolve "\.\/word\.js"/);
  });

  it('loads typebox from a bundle of its own, made again for another installed version', async () => {
    const install = async (version: string, word: string) => {
      await mkdir(join(root, 'node_modules', 'typebox'), { recursive: true });
      await write(
        'node_modules/typebox/package.json',
        JSON.stringify({ name: 'typebox', version, type: 'module', exports: './index.js' }),
      );
      await write('node_modules/typebox/index.js', `export default '${word}';\n`);
    };
    await install('1.0.0', 'one');
    await write('src/entry.ts', "import Type from 'typebox';\nconsole.log(Type);\n");
    const first = await bundle(root, 'src/entry.ts');
    expect(run(first.file)).toBe('one\n');
    expect(
      (await readdir(join(root, '.data', 'test-build'))).filter((file) => file.startsWith('vendor-typebox-')),
    ).toHaveLength(1);
    await install('1.0.1', 'two'); // npm install: the sources unchanged, the package not
    const second = await bundle(root, 'src/entry.ts');
    expect(second.reused).toBe(false);
    expect(run(second.file)).toBe('two\n');
  });

  it('keeps its record beside the builds, apart from the files old builds are removed by', async () => {
    await bundle(root, 'src/entry.ts');
    const files = await readdir(join(root, '.data', 'test-build'));
    expect(files.filter((file) => file.endsWith('.last-build.json'))).toEqual(['src_entry.ts.last-build.json']);
    expect(files.filter((file) => /^entry-\w+\.mjs$/.test(file))).toHaveLength(1);
  });
});
