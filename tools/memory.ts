// A process's resident memory, read from /proc (Linux): for the fault tests'
// memory bounds and the benchmark's listing.
import { readFile } from 'node:fs/promises';

/** VmRSS (now) or VmHWM (the peak so far) of `pid`, in MB with one decimal; NaN where /proc can't tell. */
export async function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Math.round(Number(kb ?? Number.NaN) / 102.4) / 10;
}

/** The peak resident memory of `pid` so far, in MB. */
export const peakRssMb = (pid: number) => rssMb(pid, 'VmHWM');
