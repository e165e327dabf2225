// Where the two cores went during a run, read from /proc (Linux) from outside the
// processes measured, so measuring costs them nothing; and a run metered that way.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;

/** proc(5) stat fields after the command name: [0] state, [1] ppid, [11..14] utime stime cutime cstime. */
async function statFields(pid: number): Promise<string[] | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds a process has used so far, with the time of its children that have
 * exited and been reaped (pgbench, for the benchmark process; a PostgreSQL backend
 * whose client disconnected, for the postmaster) and, with `live: true`, of its
 * running descendants (the backends still connected).
 */
export async function cpuSeconds(pid: number, { live = false } = {}): Promise<number> {
  const children = live ? await childrenByParent() : new Map<number, number[]>();
  let ticks = 0;
  for (const stack = [pid]; stack.length > 0; ) {
    const current = stack.pop() as number;
    const fields = await statFields(current);
    if (!fields) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    stack.push(...(children.get(current) ?? []));
  }
  return ticks / TICKS_PER_S;
}

async function childrenByParent(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = Number((await statFields(pid))?.[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  return children;
}

export type CpuUs = { client: number; service: number; postgres: number };
export type Metered<T> = T & { cpuUs: CpuUs };

/**
 * Runs `work` and adds the CPU microseconds per request (or transaction) that it
 * cost the load generator (this process running autocannon; wrk or pgbench once
 * reaped), the service (every process of it: the instances, and a balancer and
 * pooler in front of them), and PostgreSQL with all its backends.
 */
export async function metered<T extends { count: number }>(
  servicePids: number | number[],
  postgresPid: number | undefined,
  work: () => Promise<T>,
): Promise<Metered<T>> {
  const service = async () => {
    let seconds = 0;
    for (const pid of [servicePids].flat()) seconds += await cpuSeconds(pid);
    return seconds;
  };
  const now = async () => ({
    client: await cpuSeconds(process.pid),
    service: await service(),
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
