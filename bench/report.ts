// What a run prints and keeps: one row a scenario (medians of the runs against
// pgbench's medians), the table, the CPU per request, and the raw figures as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CpuUs, Metered } from './cpu.js';
import { RUNG_NAMES, type Rung } from './ladder.js';
import { median } from './median.js';
import type { HttpRun } from './wrk.js';

export type HttpRuns = Array<Metered<HttpRun>>;

/** One table row: medians of the HTTP runs against the pgbench runs of the same scenario. */
export function row(
  scenario: string,
  notes: number,
  served: HttpRuns,
  pgbenchTps: number,
  ceiling: Array<Metered<{ tps: number }>>,
) {
  const cpu = (runs: Array<{ cpuUs: CpuUs }>, key: keyof CpuUs) => median(runs.map((r) => r.cpuUs[key]));
  const reqPerS = median(served.map((r) => r.reqPerS));
  return {
    scenario,
    notes,
    reqPerS,
    p50Ms: median(served.map((r) => r.p50Ms)),
    p99Ms: median(served.map((r) => r.p99Ms)),
    errors: served.reduce((sum, r) => sum + r.errors, 0),
    pgbenchTps,
    ratio: reqPerS / pgbenchTps,
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

export function printTable(results: Array<Record<string, unknown>>, loadGenerator: string) {
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

/** The ladder of each scale: req/s, the server's CPU per request, and that over the Fastify floor's. */
export function printLadder(scales: Array<{ notes: number; rungs: Rung[] }>) {
  for (const { notes, rungs } of scales) {
    if (rungs.length === 0) continue;
    console.log(
      `\nThe ladder at ${notes} notes (medians; CPU: every process of the server, user + system, from /proc)`,
    );
    console.log('\n| server | req/s | server CPU µs per request | × the Fastify floor |');
    console.log('|---|---:|---:|---:|');
    for (const rung of rungs) {
      console.log(
        `| ${RUNG_NAMES[rung.key]} | ${rung.reqPerS.toFixed(0)} | ${rung.cpuUs.toFixed(1)} | ${rung.timesFastify.toFixed(2)} |`,
      );
    }
  }
}

/** One line per row whose runs had errors (non-2xx answers, socket errors): a run with errors measured something else. */
export function errorsIn(results: Array<Record<string, unknown>>): string[] {
  return results
    .filter((r) => typeof r.errors === 'number' && r.errors > 0)
    .map((r) => `${r.scenario} at ${r.notes} notes: ${r.errors} errors under load`);
}

/** The raw figures of a run, in .data/bench/results-<time>.json; returns the file. */
export async function saveResults(root: string, figures: Record<string, unknown>): Promise<string> {
  await mkdir(join(root, '.data', 'bench'), { recursive: true });
  const file = join(root, '.data', 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(figures, null, 2));
  return file;
}
