// Promise 1: a 201 is sent only after the note's transaction has committed, so
// every acknowledged note survives a crash of the service or of PostgreSQL.
import { beforeAll, describe, expect, it } from 'vitest';
import { untilAtLeast, useFaultStack, writeLoad } from '../support/fault-stack.js';

const stack = useFaultStack();
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

/** The acknowledged ids the service can't return. A 503 is retried for 2 s (the recovery promise); a 404 is final. */
async function unreadable(url: string, ids: number[]): Promise<string[]> {
  const deadline = Date.now() + 2_000;
  const missing: string[] = [];
  for (const id of ids) {
    let status = (await fetch(`${url}/notes/${id}/`)).status;
    while (status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await fetch(`${url}/notes/${id}/`)).status;
    }
    if (status !== 200) missing.push(`${id}: ${status}`);
  }
  return missing;
}

describe('acknowledged means durable', () => {
  it('keeps every note that got a 201 when the service is killed with SIGKILL mid-load', async () => {
    const load = writeLoad(stack.service().url, 8);
    await untilAtLeast('40 notes acknowledged under load', () => load.acknowledged.length, 40);
    await stack.service().stop('SIGKILL');
    await load.stop();
    expect(load.acknowledged.length).toBeGreaterThan(20);

    const restarted = await stack.startService();
    expect(await unreadable(restarted.url, load.acknowledged)).toEqual([]);
  });

  it('keeps every note that got a 201 when PostgreSQL is killed with SIGKILL mid-load', async () => {
    const { url } = stack.service();
    const load = writeLoad(url, 8);
    await untilAtLeast('40 notes acknowledged under load', () => load.acknowledged.length, 40);
    await stack.killDatabase();
    // The load has met the dead database: creates in flight at the kill, and after it, failed.
    await untilAtLeast('a create failed against the killed database', load.failures, 8);
    await load.stop();
    expect(load.acknowledged.length).toBeGreaterThan(20);

    await stack.startDatabase(); // crash recovery replays the WAL
    expect(await unreadable(url, load.acknowledged)).toEqual([]); // the same service, reconnected
  });
});
