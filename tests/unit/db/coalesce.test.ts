// The natural-batching primitive on its own: what goes out when, in what order,
// and who fails when a statement fails.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { Coalescer } from '../../../src/db/coalesce.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A stand-in for the database: records each batch and answers when told to. */
function statements() {
  const sent: Array<{ inputs: number[]; deadline: number; answer: () => void; fail: (error: Error) => void }> = [];
  const run = (inputs: number[], deadline: number) =>
    new Promise<string[]>((resolve, reject) => {
      sent.push({ inputs, deadline, answer: () => resolve(inputs.map((n) => `#${n}`)), fail: reject });
    });
  return { sent, run };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('sends a call at once while a slot is free, with no wait', async () => {
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    const result = coalescer.submit(1);
    expect(sent.map((s) => s.inputs)).toEqual([[1]]); // synchronously, before any timer or tick
    sent[0]?.answer();
    expect(await result).toBe('#1');
  });

  it('queues calls while every slot is busy and sends them together, in arrival order, when one frees', async () => {
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    const results = [1, 2, 3, 4].map((n) => coalescer.submit(n));
    expect(sent.map((s) => s.inputs)).toEqual([[1]]);
    expect(coalescer.queued).toBe(3);
    sent[0]?.answer();
    await tick();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2, 3, 4]]);
    sent[1]?.answer();
    expect(await Promise.all(results)).toEqual(['#1', '#2', '#3', '#4']);
    expect(coalescer.queued).toBe(0);
  });

  it('uses every slot before queueing, and never more', async () => {
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 3 });
    for (const n of [1, 2, 3, 4, 5]) coalescer.submit(n);
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2], [3]]);
    sent[1]?.answer();
    await tick();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2], [3], [4, 5]]);
  });

  it('puts at most maxBatch calls in one statement', async () => {
    const { sent, run } = statements();
    const sizes: number[] = [];
    const coalescer = new Coalescer(run, { maxBatch: 2, maxInFlight: 1 }, (size) => sizes.push(size));
    for (const n of [1, 2, 3, 4, 5]) coalescer.submit(n);
    for (let i = 0; i < 3; i++) {
      sent[i]?.answer();
      await tick();
    }
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2, 3], [4, 5]]);
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('fails every call of a failed statement, and only those; the next statement works', async () => {
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    const first = coalescer.submit(1);
    const failing = [2, 3].map((n) => coalescer.submit(n).catch((error: Error) => error.message));
    sent[0]?.answer();
    await tick();
    sent[1]?.fail(new Error('statement failed'));
    expect(await first).toBe('#1');
    expect(await Promise.all(failing)).toEqual(['statement failed', 'statement failed']);
    const after = coalescer.submit(4);
    sent[2]?.answer();
    expect(await after).toBe('#4');
  });

  it('fails a batch whose statement answers for a different number of calls', async () => {
    const coalescer = new Coalescer(async () => ['only one'], { maxBatch: 10, maxInFlight: 1 });
    const blocker = coalescer.submit(0);
    const [a, b] = [coalescer.submit(1), coalescer.submit(2)];
    expect(await blocker).toBe('only one');
    await expect(a).rejects.toThrow('a batch of 2 calls got 1 results');
    await expect(b).rejects.toThrow('a batch of 2 calls got 1 results');
  });

  it('never sends a queued call whose deadline passed while it waited, and fails it as unavailable', async () => {
    vi.useFakeTimers({ now: 1_000 });
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    const first = coalescer.submit(1, 5_000);
    const expired = coalescer.submit(2, 1_500).catch((error: unknown) => error);
    const live = coalescer.submit(3, 5_000);
    vi.setSystemTime(1_500); // the second call's caller has its 503 now
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.inputs)).toEqual([[1], [3]]);
    const failure = await expired;
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect((failure as Error).message).toBe('dropped unsent: its deadline passed while it waited');
    sent[1]?.answer();
    expect([await first, await live]).toEqual(['#1', '#3']);
    expect(coalescer.queued).toBe(0);
  });

  it('sends nothing when every queued call has expired, and sends later calls as usual', async () => {
    vi.useFakeTimers({ now: 1_000 });
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    coalescer.submit(1, 5_000);
    const expired = [2, 3].map((n) => coalescer.submit(n, 1_200).catch(() => 'dropped'));
    vi.setSystemTime(1_200);
    sent[0]?.answer();
    expect(await Promise.all(expired)).toEqual(['dropped', 'dropped']);
    expect(sent).toHaveLength(1);
    const later = coalescer.submit(4, 9_000);
    expect(sent.map((s) => s.inputs)).toEqual([[1], [4]]);
    sent[1]?.answer();
    expect(await later).toBe('#4');
  });

  it('tells each statement the earliest deadline of its calls', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sent, run } = statements();
    const coalescer = new Coalescer(run, { maxBatch: 10, maxInFlight: 1 });
    const alone = coalescer.submit(0); // no deadline: never expires
    const batch = [coalescer.submit(1, 90_000), coalescer.submit(2, 60_000), coalescer.submit(3, 70_000)];
    expect(sent[0]?.deadline).toBe(Number.POSITIVE_INFINITY);
    sent[0]?.answer();
    await alone;
    await vi.advanceTimersByTimeAsync(0);
    expect(sent[1]).toMatchObject({ inputs: [1, 2, 3], deadline: 60_000 });
    sent[1]?.answer();
    expect(await Promise.all(batch)).toEqual(['#1', '#2', '#3']);
  });
});
