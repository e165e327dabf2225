// The benchmark's BENCH_* settings, read once and checked like the service's own:
// a bad one stops the run with one line and exit code 2. The list is in bench/README.md.
import { ConfigError, reader } from '../src/config-reader.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

/**
 * Servers driven like the GET beside the service (bench/layer.ts), to tell what
 * each layer under it costs: the floor always, the others with BENCH_LAYERS=true.
 */
export const LAYERS = [
  { args: ['http', 'constant'], name: 'HTTP floor: node:http, one note, no database' },
  { args: ['fastify', 'constant'], name: 'layer: Fastify with the schemas, one note, no database' },
  { args: ['http', 'postgres'], name: 'layer: node:http + the repository (postgres.js)' },
  { args: ['fastify', 'postgres'], name: 'layer: Fastify with the schemas + the repository' },
];
export type Layer = (typeof LAYERS)[number];

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
    durationS: smoke ? 1 : read.integer('BENCH_DURATION_S', 10, 1, 3_600),
    runs: smoke ? 1 : read.integer('BENCH_RUNS', 3, 1, 100),
    warmupS: smoke ? 0 : read.integer('BENCH_WARMUP_S', 2, 0, 600),
    scales: smoke ? [1000] : read.integers('BENCH_SCALES', [1000, 1_000_000], 1, 100_000_000),
    scenarios: read.optionalString('BENCH_SCENARIOS')?.split(',').map(scenarioByKey) ?? SCENARIOS,
    // The smoke run starts every layer too, so that none can rot.
    layers: smoke || read.boolean('BENCH_LAYERS', false) ? LAYERS : LAYERS.slice(0, 1),
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
