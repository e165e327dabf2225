// wrk (Debian's wrk), the C load generator, as a cross-check on autocannon: it
// costs about half of autocannon's CPU per request, so on a machine where the
// load generator shares the cores it shows how much of the gap to pgbench is the
// load generator's and how much the service's. One thread: 64 connections don't
// need more, and a second would only take CPU from the service.
import { runScriptTool } from './script-tool.js';

export interface HttpRun {
  count: number;
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

export async function wrkRun(url: string, luaScript: string, connections: number, seconds: number): Promise<HttpRun> {
  const stdout = await runScriptTool({
    command: 'wrk',
    debianPackage: 'wrk',
    scriptName: 'script.lua',
    script: luaScript,
    args: (file) => ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', file, url],
  });
  return parseWrk(stdout);
}

/** wrk's report: "N requests in", "Requests/sec:", the latency distribution, and its error lines. */
export function parseWrk(stdout: string): HttpRun {
  const count = /(\d+) requests in/.exec(stdout)?.[1];
  const reqPerS = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  const percentile = (p: number) => {
    const [, value, unit] = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)$`, 'm').exec(stdout) ?? [];
    return value && unit ? Number(value) * (MS_PER_UNIT[unit] as number) : Number.NaN;
  };
  if (!count || !reqPerS) throw new Error(`no request count in wrk's output:\n${stdout}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    count: Number(count),
    reqPerS: Number(reqPerS),
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    errors: non2xx + socketErrors,
  };
}
