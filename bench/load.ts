// Driving the servers: a scenario's load from autocannon (in this process) or wrk
// (Debian's, a process of its own), and the full listing read to its end with the
// service's memory watched.
import { writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { peakRssMb, rssMb } from '../tools/memory.js';
import type { Scenario } from './scenarios.js';
import type { LoadGenerator } from './settings.js';
import { type HttpRun, wrkRun } from './wrk.js';

export async function drive(
  url: string,
  scenario: Scenario,
  notes: number,
  { loadGenerator, connections, seconds }: { loadGenerator: LoadGenerator; connections: number; seconds: number },
): Promise<HttpRun> {
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
export async function fullListing(url: string, pid: number, notes: number) {
  // Reset the peak (VmHWM) left by the load scenarios, so the peak below is the listing's own.
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {});
  const before = await rssMb(pid);
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
