// Promise 6: GET /notes/ returns every note as one JSON array at any size, with
// the service's memory flat (streamed batch by batch) and other requests served
// meanwhile. 300 000 notes of 100 characters: ~37 MB of JSON that a buffered
// listing would hold several times over. (The benchmark measures a million.)
import { beforeAll, describe, expect, it } from 'vitest';
import { peakRssMb } from '../../tools/memory.js';
import { useFaultStack } from '../support/fault-stack.js';

const NOTES = 300_000;
// The service runs with an old-space cap below what a buffered listing needs (the
// JSON alone is ~37 MB, the row objects several times that): only a stream fits.
const HEAP_CAP_MB = 64;
const MAX_GROWTH_MB = 100;
const stack = useFaultStack();
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService({ NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` });
  await stack.withDatabase(
    (sql) =>
      sql`insert into notes (contents) select repeat('n', 93) || lpad(i::text, 7, '0') from generate_series(1, ${NOTES}) i`,
  );
}, 120_000);

describe('listing at any size', () => {
  it(`streams ${NOTES} notes in one array with flat memory, serving other requests meanwhile`, async () => {
    const service = stack.service();
    const pid = service.child.pid as number;
    await fetch(`${service.url}/notes/?limit=10`); // warm up before measuring
    const before = await peakRssMb(pid);

    const response = await fetch(`${service.url}/notes/`);
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    let last = '';
    let servedMeanwhile = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      bytes += chunk.value.length;
      last = (last + Buffer.from(chunk.value.subarray(-200)).toString('latin1')).slice(-200);
      if (bytes > 5_000_000 && servedMeanwhile < 3) {
        const started = Date.now();
        const ready = await fetch(`${service.url}/`);
        if (ready.status === 200 && Date.now() - started < 1_000) servedMeanwhile++;
      }
    }

    expect(bytes).toBeGreaterThan(NOTES * 100);
    expect(last.endsWith('}]')).toBe(true);
    expect(servedMeanwhile).toBe(3);
    expect((await peakRssMb(pid)) - before).toBeLessThan(MAX_GROWTH_MB);
  });
});
