// npm run bench: the service against PostgreSQL's own ceiling. Starts its own
// PostgreSQL (embedded, or a `notes_bench` database on POSTGRES_HOST), seeds it,
// runs the production build, drives each scenario with autocannon (or wrk) over
// loopback, then runs pgbench with the same SQL, clients and duration. Prints one
// table (medians of BENCH_RUNS runs) and writes the raw figures to .data/bench/.
// Settings: BENCH_CONNECTIONS (64), BENCH_DURATION_S (10), BENCH_RUNS (3), BENCH_WARMUP_S (2),
// BENCH_SCALES (1000,1000000), BENCH_SCENARIOS (get,post,page), BENCH_LOAD_GENERATOR (autocannon|wrk),
// BENCH_LAYERS=1 (each layer under the service beside the GET), BENCH_SMOKE=1 (1 s, 1 run,
// 1000 notes, every layer: CI's check that it runs).
// A bad value stops the run with one line and exit code 2.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { ConfigError, loadConfig, reader } from '../src/config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/db/embedded.js';
import { readLiveServer } from '../src/db/embedded-files.js';
import { freePort } from '../tests/support/free-port.js';
import { waitForHttp200 } from '../tests/support/wait.js';
import { cpuSeconds } from './cpu.js';
import { pgbenchTps } from './pgbench.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { type HttpRun, wrkRun } from './wrk.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
/**
 * Servers driven like the GET beside the service (bench/layer.ts), to tell what
 * each layer under it costs: the floor always, the others with BENCH_LAYERS=1.
 */
const LAYERS = [
  { args: ['http', 'constant'], name: 'HTTP floor: node:http, one note, no database' },
  { args: ['fastify', 'constant'], name: 'layer: Fastify with the schemas, one note, no database' },
  { args: ['http', 'postgres'], name: 'layer: node:http + the repository (postgres.js)' },
  { args: ['fastify', 'postgres'], name: 'layer: Fastify with the schemas + the repository' },
];
type Layer = (typeof LAYERS)[number];

const LOAD_GENERATORS = ['autocannon', 'wrk'] as const;
const { smoke, loadGenerator, connections, durationS, runs, warmupS, scales, scenarios, layers } = readSettings();

/** The BENCH_* variables, checked like the service's own: a bad one stops the run with one line. */
function readSettings() {
  try {
    const read = reader(env);
    const smoke = read.boolean('BENCH_SMOKE', false);
    return {
      smoke,
      loadGenerator: read.oneOf('BENCH_LOAD_GENERATOR', LOAD_GENERATORS, 'autocannon'),
      connections: read.integer('BENCH_CONNECTIONS', 64, 1, 10_000),
      durationS: smoke ? 1 : read.integer('BENCH_DURATION_S', 10, 1, 3_600),
      runs: smoke ? 1 : read.integer('BENCH_RUNS', 3, 1, 100),
      warmupS: smoke ? 0 : read.integer('BENCH_WARMUP_S', 2, 0, 600),
      scales: smoke ? [1000] : read.integers('BENCH_SCALES', [1000, 1_000_000], 1, 100_000_000),
      scenarios: read.optionalString('BENCH_SCENARIOS')?.split(',').map(scenarioByKey) ?? SCENARIOS,
      // The smoke run starts every layer too, so that none can rot.
      layers: smoke || read.boolean('BENCH_LAYERS', false) ? LAYERS : LAYERS.slice(0, 1),
    };
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    process.exit(2);
  }
}

function scenarioByKey(key: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.key === key.trim());
  const known = SCENARIOS.map((s) => s.key).join(', ');
  if (!scenario) throw new ConfigError(`BENCH_SCENARIOS: unknown scenario "${key}" (known: ${known})`);
  return scenario;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'notes-bench-'));
  await chmod(work, 0o755);
  const config = loadConfig();
  let embedded: EmbeddedPostgres | undefined;
  const database = { ...config.postgres, host: config.postgres.host ?? '127.0.0.1', database: 'notes_bench' };
  try {
    if (!config.postgres.host) {
      database.port = await freePort();
      embedded = await startEmbeddedPostgres({
        ...database,
        dataDir: join(work, 'postgres'),
        startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
        ephemeral: true,
        // pgbench's clients, the pools of the service and of two layers, and the seeding connection.
        settings: {
          max_connections: connections + 3 * config.postgres.poolSize + 20,
          // Counts the statements the service sends: the mean batch size of coalescing.
          shared_preload_libraries: 'pg_stat_statements',
        },
        log: () => {},
      });
    } else {
      await createDatabase(database);
    }
    console.log(`PostgreSQL ${database.host}:${database.port}/${database.database}; npm run build…`);
    await run('npm', ['run', '-s', 'build'], { cwd: ROOT });

    // PostgreSQL's CPU can be read only when it runs here, i.e. the embedded one.
    const postgresPid = embedded && (await readLiveServer(embedded.dataDir))?.pid;
    const started: Array<Layer & { server: Server }> = [];
    const results = [];
    try {
      for (const layer of layers) {
        const args = ['--import', 'tsx', join(ROOT, 'bench', 'layer.ts'), ...layer.args];
        started.push({ ...layer, server: await startServer(args, databaseEnv(database)) });
      }
      for (const notes of scales) {
        results.push(...(await benchScale(database, notes, scenarios, { layers: started, postgresPid })));
      }
    } finally {
      for (const layer of started) await layer.server.stop();
    }
    printTable(results);
    await mkdir(join(ROOT, '.data', 'bench'), { recursive: true });
    const file = join(ROOT, '.data', 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify({ loadGenerator, connections, durationS, runs, results }, null, 2));
    console.log(`raw figures: ${file}`);
  } finally {
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

type Database = { host: string; port: number; user: string; password: string; database: string };

const databaseEnv = (database: Database) => ({
  POSTGRES_HOST: database.host,
  POSTGRES_PORT: String(database.port),
  POSTGRES_USER: database.user,
  POSTGRES_PASSWORD: database.password,
  POSTGRES_DB: database.database,
});

async function createDatabase(database: Database) {
  const sql = postgres({ ...database, pass: database.password, database: 'postgres', max: 1, onnotice: () => {} });
  const [found] = await sql`select 1 from pg_database where datname = ${database.database}`;
  if (!found) await sql.unsafe(`create database ${database.database}`);
  await sql.end();
}

async function seed(database: Database, notes: number) {
  const sql = postgres({ ...database, pass: database.password, max: 1, onnotice: () => {} });
  const started = Date.now();
  await sql`truncate notes, idempotency_keys restart identity`;
  await sql`insert into notes (contents) select rpad('note ' || i, 200, '.') from generate_series(1, ${notes}) i`;
  await sql`vacuum analyze notes`;
  await sql.end();
  console.log(`seeded ${notes} notes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

type Server = { url: string; pid: number; stop(): Promise<void> };

/** Starts a Node.js HTTP server on a free port and resolves once GET / answers 200. */
async function startServer(args: string[], extraEnv: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, ...extraEnv, API_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with code ${code}`))),
  );
  await Promise.race([waitForHttp200(`${url}/`, { timeoutMs: 60_000, intervalMs: 100 }), exited]);
  return {
    url,
    pid: child.pid as number,
    async stop() {
      child.removeAllListeners('exit');
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // Reaped before anything else is measured, so its CPU time can't land in a later run.
      await exit;
    },
  };
}

async function benchScale(
  database: Database,
  notes: number,
  scenarios: Scenario[],
  { layers, postgresPid }: { layers: Array<Layer & { server: Server }>; postgresPid?: number },
) {
  // The service migrates the fresh database; seed once it is up.
  const service = await startServer([join(ROOT, 'dist', 'server.js')], {
    NODE_ENV: 'production',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    ...databaseEnv(database),
  });
  const results = [];
  const statements = statementCounter(database);
  try {
    await seed(database, notes);
    for (const scenario of scenarios) {
      let perStatement = Number.NaN;
      const served: HttpRuns = [];
      const ceiling = [];
      const beside = scenario.key === 'get' ? layers.map((layer) => ({ ...layer, runs: [] as HttpRuns })) : [];
      // Unmeasured: the first seconds under load are V8 compiling the hot path.
      if (warmupS > 0) {
        for (const server of [service, ...beside.map((layer) => layer.server)]) {
          await drive(server.url, scenario, notes, warmupS);
        }
      }
      for (let i = 0; i < runs; i++) {
        const before = i === 0 ? await statements.count() : 0;
        served.push(await metered(service.pid, postgresPid, () => drive(service.url, scenario, notes)));
        if (i === 0) perStatement = (served[0]?.count ?? 0) / ((await statements.count()) - before);
        ceiling.push(
          await metered(service.pid, postgresPid, () =>
            pgbenchTps(database, scenario.pgbench(notes), scenario.connections ?? connections, durationS),
          ),
        );
        for (const { server, runs: measured } of beside) {
          measured.push(await metered(server.pid, postgresPid, () => drive(server.url, scenario, notes)));
        }
      }
      const pgbenchTps_ = median(ceiling.map((r) => r.tps));
      results.push({ ...row(scenario.name, notes, served, pgbenchTps_, ceiling), requestsPerStatement: perStatement });
      for (const layer of beside) {
        results.push(row(`${layer.name} (vs the GET's pgbench)`, notes, layer.runs, pgbenchTps_, ceiling));
      }
    }
    // Read before the listing, which resets the peak to measure its own.
    results.push({ scenario: 'peak RSS of the service under load (MB)', notes, value: await peakRssMb(service.pid) });
    if (notes >= 100_000 || smoke) {
      // The POST runs (the service's and pgbench's) added notes: list exactly `notes`.
      await seed(database, notes);
      results.push(await fullListing(service.url, service.pid, notes));
    }
  } finally {
    await statements.end();
    await service.stop();
  }
  return results;
}

/**
 * Statements the database ran on the bench database, from pg_stat_statements
 * (counted as each one ends, unlike the commit counter, which backends report up
 * to 10 s late): requests ÷ statements is the mean batch size. NaN where the
 * extension can't be had (a POSTGRES_HOST without it preloaded).
 */
function statementCounter(database: Database) {
  const sql = postgres({ ...database, pass: database.password, max: 1, onnotice: () => {} });
  const ready = sql`create extension if not exists pg_stat_statements`.then(
    () => true,
    () => false,
  );
  return {
    async count() {
      if (!(await ready)) return Number.NaN;
      const [row] = await sql<{ n: string }[]>`
        select coalesce(sum(calls), 0) as n from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query !~ 'pg_stat_statements'`;
      return Number(row?.n);
    },
    end: () => sql.end(),
  };
}

type Metered<T> = T & { cpuUs: CpuUs };
type HttpRuns = Array<Metered<HttpRun>>;

/** One table row: medians of the HTTP runs against the pgbench runs of the same scenario. */
function row(
  scenario: string,
  notes: number,
  served: HttpRuns,
  pgbenchTps_: number,
  ceiling: Array<Metered<{ tps: number }>>,
) {
  const cpu = (runs_: Array<{ cpuUs: CpuUs }>, key: keyof CpuUs) => median(runs_.map((r) => r.cpuUs[key]));
  const reqPerS = median(served.map((r) => r.reqPerS));
  return {
    scenario,
    notes,
    reqPerS,
    p50Ms: median(served.map((r) => r.p50Ms)),
    p99Ms: median(served.map((r) => r.p99Ms)),
    errors: served.reduce((sum, r) => sum + r.errors, 0),
    pgbenchTps: pgbenchTps_,
    ratio: reqPerS / pgbenchTps_,
    cpuUsPerRequest: {
      loadGenerator: cpu(served, 'client'),
      service: cpu(served, 'service'),
      postgres: cpu(served, 'postgres'),
      pgbench: cpu(ceiling, 'client'),
      postgresUnderPgbench: cpu(ceiling, 'postgres'),
    },
    runs: { http: served, pgbench: ceiling },
  };
}

type CpuUs = { client: number; service: number; postgres: number };

/**
 * Runs `work` and adds the CPU microseconds per request (or transaction) that it
 * cost the load generator (this process running autocannon; wrk or pgbench once
 * reaped), the service, and PostgreSQL with all its backends.
 */
async function metered<T extends { count: number }>(
  servicePid: number,
  postgresPid: number | undefined,
  work: () => Promise<T>,
): Promise<Metered<T>> {
  const now = async () => ({
    client: await cpuSeconds(process.pid),
    service: await cpuSeconds(servicePid),
    postgres: postgresPid === undefined ? Number.NaN : await cpuSeconds(postgresPid, { live: true }),
  });
  const before = await now();
  const result = await work();
  const after = await now();
  const perRequest = (key: keyof CpuUs) => ((after[key] - before[key]) * 1e6) / result.count;
  return {
    ...result,
    cpuUs: { client: perRequest('client'), service: perRequest('service'), postgres: perRequest('postgres') },
  };
}

async function drive(url: string, scenario: Scenario, notes: number, seconds = durationS): Promise<HttpRun> {
  const clients = scenario.connections ?? connections;
  if (loadGenerator === 'wrk') return wrkRun(url, scenario.wrk(notes), clients, seconds);
  const result = await autocannon({
    url,
    connections: clients,
    duration: seconds,
    requests: [scenario.request(notes)],
  });
  return {
    count: result.requests.total,
    reqPerS: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** GET /notes/ of every note, read to the end: RSS before, and the peak while listing. */
async function fullListing(url: string, pid: number, notes: number) {
  // Reset the peak (VmHWM) left by the load scenarios, so the peak below is the listing's own.
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {});
  const before = await rssMb(pid, 'VmRSS');
  const started = Date.now();
  const response = await fetch(`${url}/notes/`);
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const peak = await peakRssMb(pid);
  return {
    scenario: 'GET /notes/ (everything)',
    notes,
    seconds: (Date.now() - started) / 1000,
    megabytes: bytes / 1e6,
    rssBeforeMb: before,
    rssAfterMb: peak,
    rssGrowthMb: peak - before,
  };
}

const peakRssMb = (pid: number) => rssMb(pid, 'VmHWM');

async function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Math.round(Number(kb ?? Number.NaN) / 102.4) / 10;
}

function printTable(results: Array<Record<string, unknown>>) {
  const f = (value: unknown, digits = 0) =>
    typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '';
  // Sub-millisecond latencies (the lone client's) keep two decimals.
  const ms = (value: unknown) => f(value, typeof value === 'number' && value < 10 ? 2 : 0);
  console.log(
    '\n| scenario | notes | service req/s | p50 ms | p99 ms | pgbench TPS | service / pgbench | errors | requests per statement |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if ('reqPerS' in r) {
      console.log(
        `| ${r.scenario} | ${r.notes} | ${f(r.reqPerS)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${f(r.pgbenchTps)} | ${f(r.ratio, 2)} | ${r.errors} | ${f(r.requestsPerStatement, 1)} |`,
      );
    } else if ('rssAfterMb' in r) {
      console.log(
        `| ${r.scenario} | ${r.notes} | ${f(r.megabytes, 1)} MB in ${f(r.seconds, 1)} s | | | | RSS ${f(r.rssBeforeMb, 1)} → peak ${f(r.rssAfterMb, 1)} MB (+${f(r.rssGrowthMb, 1)}) | | |`,
      );
    } else {
      console.log(`| ${r.scenario} | ${r.notes} | ${f(r.value, 1)} | | | | | | |`);
    }
  }
  console.log('\nCPU per request (µs, medians): the service run | the pgbench run');
  console.log(`\n| scenario | notes | ${loadGenerator} | service | PostgreSQL | pgbench | PostgreSQL |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const cpu = r.cpuUsPerRequest as Record<string, number> | undefined;
    if (!cpu) continue;
    console.log(
      `| ${r.scenario} | ${r.notes} | ${f(cpu.loadGenerator)} | ${f(cpu.service)} | ${f(cpu.postgres)} | ${f(cpu.pgbench)} | ${f(cpu.postgresUnderPgbench)} |`,
    );
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
