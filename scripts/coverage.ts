// npm run test:coverage (make coverage): the unit, integrated and external tiers
// with @vitest/coverage-v8, plus the coverage of the service process the external
// tier starts, which Vitest can't see: that process writes its V8 coverage
// (NODE_V8_COVERAGE, through SERVICE_V8_COVERAGE_DIR), mapped back to src/ with
// the source maps tsx leaves in it, and added to Vitest's figures statement by
// statement. One text summary, an
// HTML report in coverage/, and thresholds on the merged figures, so that coverage
// can't fall unnoticed.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generatedPositionFor, LEAST_UPPER_BOUND, TraceMap } from '@jridgewell/trace-mapping';
import libCoverage, { type CoverageMapData, type FileCoverageData } from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'coverage');
const SERVICE = join(OUT, '.service');
const SRC = pathToFileURL(join(ROOT, 'src')).href;

/**
 * Measured on 2026-12-03 (docs/testing.md), less four points (two runs differed by
 * one: which paths a timing-bound test takes varies): a drop below fails the run.
 */
const THRESHOLDS = { lines: 80, statements: 79, functions: 77, branches: 75 };

type V8Coverage = {
  result: Array<{
    url: string;
    functions: Array<{ ranges: Array<{ startOffset: number; endOffset: number; count: number }> }>;
  }>;
  'source-map-cache'?: Record<string, { lineLengths: number[]; data: object }>;
};

await rm(OUT, { recursive: true, force: true });
await mkdir(SERVICE, { recursive: true });

const vitest = await new Promise<number>((resolve) => {
  const child = execFile(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--coverage', '--coverage.reporter=json', '--project', 'tiers'],
    {
      cwd: ROOT,
      // Without the compile cache (vitest.config.ts turns it on): a function V8 takes from it has no block coverage.
      env: { ...process.env, SERVICE_V8_COVERAGE_DIR: SERVICE, NODE_DISABLE_COMPILE_CACHE: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
    () => {},
  );
  child.stdout?.pipe(process.stdout);
  child.stderr?.pipe(process.stderr);
  child.on('exit', (code) => resolve(code ?? 1));
});
if (vitest !== 0) process.exit(vitest);

const map = libCoverage.createCoverageMap(
  JSON.parse(await readFile(join(OUT, 'coverage-final.json'), 'utf8')) as CoverageMapData,
);
const service = await whatTheServiceRan();
for (const path of map.files()) {
  const ran = service.get(path);
  if (ran) map.addFileCoverage(withWhatRan(map.fileCoverageFor(path).toJSON() as FileCoverageData, ran));
}
map.filter((path) => path.startsWith(join(ROOT, 'src')));
// The production entry runs only in the service process: uncovered, the merge failed.
const entry = map.fileCoverageFor(join(ROOT, 'src', 'process', 'server.ts')).toSummary().statements;
if (service.size === 0 || entry.covered === 0) {
  console.error('no coverage came from the service process (src/process/server.ts ran in it): the merge is broken');
  process.exit(1);
}
const context = libReport.createContext({ dir: OUT, coverageMap: map });
for (const report of ['text', 'html', 'json-summary'] as const) reports.create(report).execute(context);
const summary = map.getCoverageSummary();
console.log(`\ncoverage of src/, the service process's merged in (${service.size} of its files):`);
const below: string[] = [];
for (const [metric, minimum] of Object.entries(THRESHOLDS) as Array<[keyof typeof THRESHOLDS, number]>) {
  const pct = summary[metric].pct;
  console.log(`  ${metric.padEnd(10)} ${pct.toFixed(2)}% (threshold ${minimum}%)`);
  if (pct < minimum) below.push(`${metric} ${pct.toFixed(2)}% < ${minimum}%`);
}
console.log(`HTML report: ${join(OUT, 'index.html')}`);
if (below.length) {
  console.error(`coverage fell below its thresholds: ${below.join(', ')}`);
  process.exit(1);
}

type Ran = (line: number, column: number) => number;

/**
 * How often the service process ran each position of src/, by file. V8 counts
 * ranges of the code tsx generated, which no file holds; the source maps tsx
 * leaves in the coverage (with the generated lines' lengths) lead from a position
 * in src/ to an offset there, and the innermost range around that offset says how
 * often it ran.
 */
async function whatTheServiceRan(): Promise<Map<string, Ran[]>> {
  const ran = new Map<string, Ran[]>();
  for (const file of await readdir(SERVICE)) {
    const coverage = JSON.parse(await readFile(join(SERVICE, file), 'utf8')) as V8Coverage;
    for (const script of coverage.result.filter((s) => s.url.startsWith(SRC))) {
      const sourceMap = coverage['source-map-cache']?.[script.url];
      if (!sourceMap) continue;
      const traced = new TraceMap(sourceMap.data as never);
      const lineStarts = [0];
      for (const length of sourceMap.lineLengths) lineStarts.push((lineStarts.at(-1) as number) + length + 1);
      // Innermost first: the narrowest range around an offset is the one that counted it.
      const ranges = script.functions
        .flatMap((fn) => fn.ranges)
        .sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset));
      const source = fileURLToPath(script.url);
      const runs: Ran = (line, column) => {
        const at = generatedPositionFor(traced, { source: script.url, line, column, bias: LEAST_UPPER_BOUND });
        if (at.line === null) return 0;
        const offset = (lineStarts[at.line - 1] ?? 0) + at.column;
        return ranges.find((r) => r.startOffset <= offset && offset < r.endOffset)?.count ?? 0;
      };
      ran.set(source, [...(ran.get(source) ?? []), runs]);
    }
  }
  return ran;
}

/** Vitest's coverage of a file, with what the service process ran of it added, statement by statement. */
function withWhatRan(data: FileCoverageData, ran: Ran[]): FileCoverageData {
  const count = ({ line, column }: { line: number; column: number }) =>
    ran.reduce((sum, runs) => sum + runs(line, column), 0);
  for (const [id, range] of Object.entries(data.statementMap)) data.s[id] = (data.s[id] ?? 0) + count(range.start);
  for (const [id, fn] of Object.entries(data.fnMap)) data.f[id] = (data.f[id] ?? 0) + count(fn.loc.start);
  for (const [id, branch] of Object.entries(data.branchMap)) {
    data.b[id] = (data.b[id] ?? []).map((hits, arm) => {
      const location = branch.locations[arm];
      return hits + (location?.start.line ? count(location.start) : 0);
    });
  }
  return data;
}
