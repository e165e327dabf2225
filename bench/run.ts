// npm run bench: the service against PostgreSQL's own ceiling. Starts its own
// PostgreSQL (embedded, or a `notes_bench` database on POSTGRES_HOST), seeds it,
// runs the production build, drives each scenario with autocannon (or wrk) over
// loopback, then runs pgbench with the same SQL, clients and duration. Prints one
// table (medians of BENCH_RUNS runs) and writes the raw figures to .data/bench/.
// The BENCH_* settings are in settings.ts and bench/README.md.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.js';
import { freePort } from '../tools/free-port.js';
import { peakRssMb } from '../tools/memory.js';
import { startScaledStack } from '../tools/scaled-stack.js';
import { databaseEnv, type ServiceProcess, startProcess } from '../tools/service-process.js';
import { type Metered, metered } from './cpu.js';
import { benchDatabase, type Database, seed, statementCounter } from './database.js';
import { committedRatios, guardFailures, ladder } from './ladder.js';
import { drive, fullListing } from './load.js';
import { median } from './median.js';
import { pgbenchTps } from './pgbench.js';
import { errorsIn, type HttpRuns, printLadder, printTable, row, saveResults } from './report.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { type Layer, readBenchSettings } from './settings.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const settings = readBenchSettings();
const { smoke, loadGenerator, connections, durationS, runs, warmupS, scales, scenarios, layers, instances, guard } =
  settings;

/** What makes the run fail once it is reported: errors under load, a ratio past the guard. */
let failures: string[] = [];

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'notes-bench-'));
  await chmod(work, 0o755);
  const config = loadConfig();
  const database = await benchDatabase(config, work, connections);
  try {
    const { host, port, database: name } = database.settings;
    console.log(`PostgreSQL ${host}:${port}/${name}; npm run build…`);
    await run('npm', ['run', '-s', 'build'], { cwd: ROOT });
    const started: Array<Layer & { server: ServiceProcess }> = [];
    const results: Array<Record<string, unknown>> = [];
    try {
      for (const layer of layers) {
        const args = ['--import', 'tsx', join(ROOT, 'bench', 'layer.ts'), ...layer.args];
        started.push({ ...layer, server: await startServer(args, databaseEnv(database.settings)) });
      }
      for (const notes of scales) {
        results.push(...(await benchScale(database.settings, notes, started, database.postgresPid)));
      }
    } finally {
      // Reaped before anything else is measured, so a server's CPU time can't land in a later run.
      for (const layer of started) await layer.server.stop();
    }
    printTable(results, loadGenerator);
    const rungs = scales.map((notes) => ({ notes, rungs: ladder(results, notes) }));
    printLadder(rungs);
    const file = await saveResults(ROOT, { loadGenerator, connections, durationS, runs, results, ladder: rungs });
    console.log(`raw figures: ${file}`);
    failures = errorsIn(results);
    if (guard) {
      const committed = committedRatios(await readFile(join(ROOT, 'bench', 'README.md'), 'utf8'));
      failures.push(...rungs.flatMap(({ rungs }) => guardFailures(rungs, committed, loadGenerator)));
    }
  } finally {
    await database.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** A Node.js server on a free port, its output shared with this process's. */
const startServer = (args: string[], env: Record<string, string>) =>
  startProcess(args, null, { timeoutMs: 60_000, intervalMs: 100 }, { env });

/** What the floors and layers answer: the GET, whichever scenario they run beside. */
const FLOOR_LOAD = SCENARIOS.find((s) => s.key === 'get') as Scenario;

const load = (url: string, scenario: Scenario, notes: number, seconds = durationS) =>
  drive(url, scenario, notes, { loadGenerator, connections, seconds });

async function benchScale(
  database: Database,
  notes: number,
  layers: Array<Layer & { server: ServiceProcess }>,
  postgresPid: number | undefined,
) {
  // The service migrates the fresh database; seed once it is up.
  const service = await startServer([join(ROOT, 'dist', 'process', 'server.js')], {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...databaseEnv(database),
  });
  const servicePid = service.child.pid as number;
  const results = [];
  const statements = statementCounter(database);
  const ceilings = new Map<string, Array<Awaited<ReturnType<typeof pgbenchRun>>>>();
  const pgbenchRun = (scenario: Scenario) =>
    metered(servicePid, postgresPid, () =>
      pgbenchTps(database, scenario.pgbench(notes), scenario.connections ?? connections, durationS),
    );
  try {
    await seed(database, notes);
    for (const scenario of scenarios) {
      let perStatement = Number.NaN;
      const served: HttpRuns = [];
      const ceiling = [];
      const beside = besideTheScenario(scenario, layers);
      // Unmeasured: the first seconds under load are V8 compiling the hot path.
      if (warmupS > 0) {
        await load(service.url, scenario, notes, warmupS);
        for (const layer of beside) await load(layer.server.url, layer.load, notes, warmupS);
      }
      for (let i = 0; i < runs; i++) {
        const before = i === 0 ? await statements.count() : 0;
        served.push(await metered(servicePid, postgresPid, () => load(service.url, scenario, notes)));
        if (i === 0) perStatement = (served[0]?.count ?? 0) / ((await statements.count()) - before);
        ceiling.push(await pgbenchRun(scenario));
        for (const { server, runs: measured, load: floorLoad } of beside) {
          measured.push(
            await metered(server.child.pid as number, postgresPid, () => load(server.url, floorLoad, notes)),
          );
        }
      }
      ceilings.set(scenario.key, ceiling);
      const pgbench = median(ceiling.map((r) => r.tps));
      const rung = scenario.key === 'get' || scenario.key === 'post' ? scenario.key : undefined;
      results.push({
        ...row(scenario.name, notes, served, pgbench, ceiling),
        requestsPerStatement: perStatement,
        rung,
      });
      for (const layer of beside) {
        const name = `${layer.name} (beside the ${scenario.key.toUpperCase()}, vs its pgbench)`;
        results.push({ ...row(name, notes, layer.runs, pgbench, ceiling), rung: layer.rung, beside: scenario.key });
      }
    }
    if (instances > 0) results.push(...(await throughTheBalancer(database, notes, ceilings, postgresPid)));
    // Read before the listing, which resets the peak to measure its own.
    results.push({ scenario: 'peak RSS of the service under load (MB)', notes, value: await peakRssMb(servicePid) });
    if (notes >= 100_000 || smoke) {
      // The POST runs (the service's and pgbench's) added notes: list exactly `notes`.
      await seed(database, notes);
      results.push(await fullListing(service.url, servicePid, notes));
    }
  } finally {
    await statements.end();
    await service.stop();
  }
  return results;
}

/**
 * What runs beside a scenario, each with the load it is driven with: beside the
 * GET every layer, with the GET's; beside the POST the floors with the GET's (the
 * ladder's floors, in the same minutes as the POST), and the Fastify floor with
 * the POST's too: a create's body parsed and validated in bare Fastify.
 */
function besideTheScenario<L extends Layer>(scenario: Scenario, layers: L[]) {
  const driven = (layer: L, floorLoad: Scenario) => ({ ...layer, load: floorLoad, runs: [] as HttpRuns });
  if (scenario.key === 'get') return layers.map((layer) => driven(layer, FLOOR_LOAD));
  if (scenario.key !== 'post') return [];
  const floors = layers.filter((layer) => layer.rung).map((layer) => driven(layer, FLOOR_LOAD));
  const fastifyPost = layers
    .filter((layer) => layer.rung === 'fastify-floor')
    .map((layer) => ({ ...driven(layer, scenario), rung: 'fastify-post-floor' as const, name: FASTIFY_POST_FLOOR }));
  return [...floors, ...fastifyPost];
}

const FASTIFY_POST_FLOOR = 'Fastify floor, POST: the body parsed and validated, one note answered';

/**
 * The GET and the POST again, through HAProxy to `instances` instances of the
 * build and PgBouncer (tools/scaled-stack.ts) on the same database, against the
 * same pgbench runs: what the extra hops cost, and what more event loops gain.
 */
async function throughTheBalancer(
  database: Database,
  notes: number,
  ceilings: Map<string, Array<Metered<{ tps: number }>>>,
  postgresPid: number | undefined,
) {
  const config = loadConfig();
  const [apiPort, pgbouncerPort, statsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const stack = await startScaledStack({
    dir: await mkdtemp(join(tmpdir(), 'notes-bench-scaled-')),
    apiPort,
    postgresPort: database.port,
    existingDatabase: { host: database.host },
    pgbouncerPort,
    statsPort,
    instances,
    postgres: { ...database, statementTimeoutMs: config.postgres.statementTimeoutMs },
    // The instances' pools, and pgbench's clients beside them, within max_connections.
    pgbouncerPoolSize: config.postgres.poolSize,
    checkIntervalMs: 500,
    drainMs: 1_500,
    graceMs: config.shutdownGraceMs,
    wait: { timeoutMs: 60_000, intervalMs: 100 },
    instanceEnv: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const results = [];
  try {
    for (const scenario of scenarios.filter((s) => ['get', 'post'].includes(s.key))) {
      const ceiling = ceilings.get(scenario.key) ?? [];
      if (warmupS > 0) await load(stack.url, scenario, notes, warmupS);
      const served: HttpRuns = [];
      for (let i = 0; i < runs; i++) {
        served.push(await metered(stack.servicePids, postgresPid, () => load(stack.url, scenario, notes)));
      }
      const name = `${scenario.name} via HAProxy + PgBouncer, ${instances} instances`;
      results.push(row(name, notes, served, median(ceiling.map((r) => r.tps)), ceiling));
    }
  } finally {
    await stack.stop();
    await rm(stack.settings.dir, { recursive: true, force: true });
  }
  return results;
}

main().then(
  () => {
    if (failures.length === 0) return;
    for (const failure of failures) console.error(`bench failed: ${failure}`);
    process.exit(1);
  },
  (error) => {
    console.error(`bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
