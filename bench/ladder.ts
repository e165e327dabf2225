// The ladder: the service's CPU per request against two floors measured in the
// same run, a bare node:http server and a bare Fastify route each answering a
// constant note, and the guard that holds the service to the ratios committed
// in bench/README.md. A ratio measured in one run moves little between runs and
// machines (a slow hour slows every rung); an absolute time moves by ±20%.
import { median } from './median.js';

/** What a rung of the ladder is, in a row of results: a floor, or a scenario of the service. */
export type RungKey = 'http-floor' | 'fastify-floor' | 'get' | 'fastify-post-floor' | 'post';

/** The runs of a row of results that the ladder reads. */
type MeasuredRuns = { http: Array<{ reqPerS: number; cpuUs: { service: number } }> };

export interface Rung {
  key: RungKey;
  reqPerS: number;
  /** The server's CPU per request, µs: every process of it, user and system time, from /proc. */
  cpuUs: number;
  /** cpuUs over the Fastify floor's (for the service, the floor's beside it in the same minutes). */
  timesFastify: number;
}

/**
 * The rungs at `notes`, each at the median of its runs. A floor is driven beside
 * both the GET and the POST: as a rung, its runs of both count; as the measure of
 * a scenario of the service, only its runs beside that scenario, in the same
 * minutes (PostgreSQL's background work after the POST's inserts slows everything
 * on the machine then). Empty without the Fastify floor.
 */
export function ladder(rows: Array<Record<string, unknown>>, notes: number): Rung[] {
  const runsOf = (key: RungKey, beside?: string) =>
    rows
      .filter((row) => row.rung === key && row.notes === notes && (beside === undefined || row.beside === beside))
      .flatMap((row) => (row.runs as MeasuredRuns).http);
  const cpuOf = (runs: MeasuredRuns['http']) => median(runs.map((run) => run.cpuUs.service));
  const floor = cpuOf(runsOf('fastify-floor'));
  if (!Number.isFinite(floor)) return [];
  /** The Fastify floor beside `key`, or over all its runs when it ran beside no such scenario. */
  const floorBeside = (key: RungKey) => {
    const beside = cpuOf(runsOf('fastify-floor', key));
    return Number.isFinite(beside) ? beside : floor;
  };
  const rungs: Rung[] = [];
  for (const key of ['http-floor', 'fastify-floor', 'get', 'fastify-post-floor', 'post'] as const) {
    const runs = runsOf(key);
    if (runs.length === 0) continue;
    const cpuUs = cpuOf(runs);
    const over =
      key === 'get' ? floorBeside('get') : key === 'post' || key === 'fastify-post-floor' ? floorBeside('post') : floor;
    rungs.push({ key, reqPerS: median(runs.map((run) => run.reqPerS)), cpuUs, timesFastify: cpuUs / over });
  }
  return rungs;
}

export const RUNG_NAMES: Record<RungKey, string> = {
  'http-floor': 'node:http, a constant note',
  'fastify-floor': 'Fastify, one route with the response schema, a constant note',
  get: 'the service, GET /notes/<id>/',
  'fastify-post-floor': 'Fastify, a create: the body parsed and validated, a constant note answered 201',
  post: 'the service, POST /notes/ (200 bytes)',
};

export type CommittedRatios = Map<string, { get: number; post: number }>;

const GUARD_HEADING = '## The ratio guard';

/**
 * The ratios committed in bench/README.md, by load generator: the first table
 * under "## The ratio guard", rows `| wrk | 1.70 | 2.40 |` (GET, then POST).
 */
export function committedRatios(readme: string): CommittedRatios {
  const start = readme.indexOf(GUARD_HEADING);
  if (start < 0) throw new Error(`bench/README.md has no "${GUARD_HEADING}" section`);
  const ratios: CommittedRatios = new Map();
  const lines = readme.slice(start + GUARD_HEADING.length).split('\n');
  const table = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  for (const line of table) {
    if (!line.startsWith('|')) break;
    const [generator, get, post] = line
      .split('|')
      .slice(1, 4)
      .map((cell) => cell.trim());
    if (generator && Number.isFinite(Number(get)) && Number.isFinite(Number(post)) && get && post) {
      ratios.set(generator, { get: Number(get), post: Number(post) });
    }
  }
  if (ratios.size === 0) throw new Error(`bench/README.md's "${GUARD_HEADING}" has no ratios`);
  return ratios;
}

/** How much worse than committed a ratio may be before the guard fails the run: 30%. */
export const GUARD_TOLERANCE = 1.3;

/**
 * One line per rung (GET, POST) whose ratio to the Fastify floor is more than
 * GUARD_TOLERANCE times the committed one; empty when all hold. A rung the run
 * didn't measure, or a load generator without committed ratios, is a failure too:
 * a guard that checks nothing must not pass.
 */
export function guardFailures(rungs: Rung[], committed: CommittedRatios, generator: string): string[] {
  const limits = committed.get(generator);
  if (!limits) return [`no ratios committed for ${generator} in bench/README.md's ratio guard`];
  const failures: string[] = [];
  for (const key of ['get', 'post'] as const) {
    const rung = rungs.find((r) => r.key === key);
    const limit = limits[key] * GUARD_TOLERANCE;
    if (!rung) failures.push(`${RUNG_NAMES[key]}: not measured, so the ratio guard can't check it`);
    else if (!(rung.timesFastify <= limit)) {
      failures.push(
        `${RUNG_NAMES[key]}: ${rung.timesFastify.toFixed(2)}× the Fastify floor's CPU per request, ` +
          `past ${limit.toFixed(2)} (the committed ${limits[key].toFixed(2)} + 30%)`,
      );
    }
  }
  return failures;
}
