// Which test files import a module, directly or through others, read from the
// sources' relative imports. Vitest's watch mode knows this from its own module
// graph, but not for a file that a watchTriggerPatterns entry matches: then only
// the files that entry names rerun. vitest.config.ts matches every save under src/
// (the external tier must rerun too) and names these with it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const IMPORT = /(?:from\s*|import\s*\(\s*|import\s+)['"](\.\.?\/[^'"]+)['"]/g;

/** The test files under `tests/` (relative to `root`) that reach `file` through imports, itself included if it is one. */
export function testFilesImporting(root: string, file: string, dirs = ['src', 'tests', 'tools']): string[] {
  const importers = new Map<string, Set<string>>();
  for (const dir of dirs) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.ts')) continue;
      const from = join(root, dir, entry);
      for (const [, specifier] of readFileSync(from, 'utf8').matchAll(IMPORT)) {
        const target = resolve(dirname(from), specifier ?? '').replace(/\.js$/, '.ts');
        if (!importers.has(target)) importers.set(target, new Set());
        importers.get(target)?.add(from);
      }
    }
  }
  const reached = new Set<string>([resolve(root, file)]);
  const queue = [...reached];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const importer of importers.get(next) ?? []) {
      if (!reached.has(importer)) {
        reached.add(importer);
        queue.push(importer);
      }
    }
  }
  return [...reached].map((path) => relative(root, path)).filter((path) => /^tests\/.+\.test\.ts$/.test(path));
}

/**
 * The modules (relative to `root`) that `entries` evaluate as they load, before
 * any `import()`: the entries and what they import statically, transitively, as
 * esbuild reads them for the bundles that run (imports of types only are no
 * imports). Undefined when the sources can't be read as they are now (a file
 * that doesn't parse, an import of one that isn't there): then nobody can tell.
 */
export function modulesLoadedWith(root: string, entries: readonly string[]): string[] | undefined {
  let metafile: esbuild.Metafile;
  try {
    ({ metafile } = esbuild.buildSync({
      absWorkingDir: root, // the metafile's paths are relative to it
      entryPoints: entries.map((entry) => join(root, entry)),
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      splitting: true,
      outdir: join(root, '.data', 'unwritten'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    }));
  } catch {
    return undefined;
  }
  const reached = new Set(entries);
  const queue = [...entries];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const { path, kind } of metafile.inputs[next]?.imports ?? []) {
      if (kind !== 'import-statement' || reached.has(path) || !metafile.inputs[path]) continue;
      reached.add(path);
      queue.push(path);
    }
  }
  return [...reached].sort();
}
