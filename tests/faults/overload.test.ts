// Overload: past its limits the service answers at once with 503 `overloaded`
// and Retry-After instead of queueing without bound; liveness stays fast; it
// recovers by itself. And no request can make it hold hundreds of MB: a page stops
// at PAGE_MAX_BYTES however large its notes and its limit.
import { beforeAll, describe, expect, it } from 'vitest';
import { peakRssMb } from '../../tools/memory.js';
import { createSucceedsWithin, useFaultStack } from '../support/fault-stack.js';

const IN_FLIGHT = 16;
const stack = useFaultStack({
  SHED_IN_FLIGHT_REQUESTS: String(IN_FLIGHT),
  POSTGRES_QUERY_TIMEOUT_MS: '3000',
  METRICS_ENABLED: 'true',
});
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

const timed = async (send: () => Promise<Response>) => {
  const started = performance.now();
  const response = await send();
  const body = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body,
    ms: performance.now() - started,
  };
};

describe('overload', () => {
  it(`sheds past ${IN_FLIGHT} requests in flight with fast 503s, stays live, and recovers`, async () => {
    const { url } = stack.service();
    // The database stops answering: every request that reaches it waits, so 48 at once saturate the service.
    await stack.freezeDatabase(true);
    let load: Promise<Array<Awaited<ReturnType<typeof timed>>>> | undefined;
    try {
      load = Promise.all(Array.from({ length: 48 }, (_, i) => timed(() => fetch(`${url}/notes/${i + 1}/`))));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const live = await timed(() => fetch(`${url}/health/live`));
      expect(live.status).toBe(200);
      expect(live.ms).toBeLessThan(500);
      const metrics = await timed(() => fetch(`${url}/metrics`));
      expect(metrics.body).toMatch(/^http_requests_shed_total\{reason="in_flight"\} [1-9]/m);
    } finally {
      await stack.freezeDatabase(false);
    }
    const results = await load;
    const shed = results.filter((result) => result.status === 503 && result.body.includes('"overloaded"'));
    expect(shed.length).toBeGreaterThanOrEqual(48 - IN_FLIGHT);
    expect(shed.every((result) => result.retryAfter === '1' && result.ms < 1_000)).toBe(true);
    // The admitted ones were answered by the database once it was back (or hit the deadline), never lost.
    const admitted = results.filter((result) => !shed.includes(result));
    expect(admitted.every((result) => [200, 404, 503].includes(result.status))).toBe(true);

    await createSucceedsWithin(url, 3_000, 'after the overload');
  });

  it('bounds pages by bytes: 16 pages of 1000 maximum-size notes at once stay within memory', async () => {
    const { url, child } = stack.service();
    // 200 notes of 100 000 three-byte characters: 60 MB of text, ~300 KB a note.
    const [first] = await stack.withDatabase(
      (sql) => sql<{ id: string }[]>`
        insert into notes (contents) select repeat('€', 100000) || i from generate_series(1, 200) i returning id`,
    );
    await fetch(`${url}/notes/?limit=1`); // warm up before measuring
    const before = await peakRssMb(child.pid as number);
    const after = BigInt(first?.id ?? 1) - 1n;
    const pages = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const response = await fetch(`${url}/notes/?limit=1000&after=${after}`);
        return {
          status: response.status,
          link: response.headers.get('link'),
          bytes: Buffer.byteLength(await response.text()),
        };
      }),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.link).toMatch(/rel="next"/); // cut short: the rest follows
      expect(page.bytes).toBeLessThan(1_048_576 + 300_100); // PAGE_MAX_BYTES, passed by at most one note
    }
    // Without the bound these 16 pages were ~300 MB each.
    expect((await peakRssMb(child.pid as number)) - before).toBeLessThan(150);
  });
});
