// The benchmark's BENCH_* settings, read once and checked like the service's own:
// a bad one stops the run with one line and exit code 2. The list is in bench/README.md.
import { ConfigError, reader } from '../src/config-reader.js';
import type { RungKey } from './ladder.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

/**
 * Servers driven with the GET's load beside the service (bench/layer.ts), to tell
 * what each layer under it costs. The two floors (a constant note, no database)
 * always, beside the GET and the POST: the ladder (bench/ladder.ts) and its guard
 * need them. The layers over the repository with BENCH_LAYERS=true, beside the GET.
 */
export const LAYERS: Layer[] = [
  { args: ['http', 'constant'], name: 'HTTP floor: node:http, one note, no database', rung: 'http-floor' },
  { args: ['fastify', 'constant'], name: 'Fastify floor: one route with the schemas, one note', rung: 'fastify-floor' },
  { args: ['http', 'postgres'], name: 'layer: node:http + the repository (postgres.js)' },
  { args: ['fastify', 'postgres'], name: 'layer: Fastify with the schemas + the repository' },
];
export type Layer = { args: string[]; name: string; rung?: RungKey };

const LOAD_GENERATORS = ['autocannon', 'wrk'] as const;
export type LoadGenerator = (typeof LOAD_GENERATORS)[number];

export type BenchSettings = ReturnType<typeof readSettings>;

function readSettings(env: NodeJS.ProcessEnv) {
  const read = reader(env);
  const smoke = read.boolean('BENCH_SMOKE', false);
  return {
    smoke,
    loadGenerator: read.oneOf('BENCH_LOAD_GENERATOR', LOAD_GENERATORS, 'autocannon'),
    connections: read.integer('BENCH_CONNECTIONS', 64, 1, 10_000),
    // The smoke run's seconds are enough for the ratio guard: a warmed-up JIT, and two seconds of each rung.
    durationS: smoke ? 2 : read.integer('BENCH_DURATION_S', 10, 1, 3_600),
    runs: smoke ? 1 : read.integer('BENCH_RUNS', 3, 1, 100),
    warmupS: smoke ? 1 : read.integer('BENCH_WARMUP_S', 2, 0, 600),
    scales: smoke ? [1000] : read.integers('BENCH_SCALES', [1000, 1_000_000], 1, 100_000_000),
    scenarios: read.optionalString('BENCH_SCENARIOS')?.split(',').map(scenarioByKey) ?? SCENARIOS,
    // The smoke run starts every layer too, so that none can rot.
    layers: smoke || read.boolean('BENCH_LAYERS', false) ? LAYERS : LAYERS.filter((layer) => layer.rung),
    // Fail the run when the service's ratios to the Fastify floor are 30% past bench/README.md's.
    guard: read.boolean('BENCH_GUARD', smoke),
    // The GET and the POST again through HAProxy and PgBouncer to this many instances (0: not).
    instances: smoke ? 2 : read.integer('BENCH_INSTANCES', 0, 0, 16),
  };
}

/** The settings, or one line on stderr and exit code 2. */
export function readBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  try {
    return readSettings(env);
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
