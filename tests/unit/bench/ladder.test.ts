import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedRatios, GUARD_TOLERANCE, guardFailures, ladder, type Rung } from '../../../bench/ladder.js';

const runs = (...cpuUs: number[]) => ({
  http: cpuUs.map((us, i) => ({ reqPerS: 1000 * (i + 1), cpuUs: { service: us } })),
});

describe('ladder', () => {
  it('puts each rung at the median of its runs, the service over the Fastify floor beside it, at the scale asked', () => {
    const rows = [
      { rung: 'fastify-floor', notes: 1000, runs: runs(20, 22), beside: 'get' },
      { rung: 'fastify-floor', notes: 1000, runs: runs(18), beside: 'post' }, // as a rung, its runs count too
      { rung: 'http-floor', notes: 1000, runs: runs(19, 21, 30) },
      { rung: 'get', notes: 1000, runs: runs(40, 30, 35) },
      { rung: 'post', notes: 1000, runs: runs(50) },
      { rung: 'fastify-post-floor', notes: 1000, runs: runs(36) },
      { rung: 'get', notes: 1_000_000, runs: runs(400) }, // another scale
      { notes: 1000, runs: runs(999) }, // a row that is no rung
    ];
    expect(ladder(rows, 1000)).toEqual([
      { key: 'http-floor', reqPerS: 2000, cpuUs: 21, timesFastify: 21 / 20 },
      { key: 'fastify-floor', reqPerS: 1000, cpuUs: 20, timesFastify: 1 },
      { key: 'get', reqPerS: 2000, cpuUs: 35, timesFastify: 35 / 22 }, // the floor beside the GET: 20, 22
      { key: 'fastify-post-floor', reqPerS: 1000, cpuUs: 36, timesFastify: 36 / 18 },
      { key: 'post', reqPerS: 1000, cpuUs: 50, timesFastify: 50 / 18 },
    ]);
  });

  it('measures a scenario the floor ran beside of none against all its runs', () => {
    const rows = [
      { rung: 'fastify-floor', notes: 1000, runs: runs(20, 30, 25), beside: 'get' },
      { rung: 'post', notes: 1000, runs: runs(50) },
    ];
    expect(ladder(rows, 1000).find((rung) => rung.key === 'post')?.timesFastify).toBe(2);
  });

  it('has no rungs without the Fastify floor', () => {
    expect(ladder([{ rung: 'get', notes: 1000, runs: runs(40) }], 1000)).toEqual([]);
  });
});

describe('committedRatios', () => {
  it('reads the first table under the ratio guard heading, by load generator', () => {
    const readme = [
      '## Results',
      '| wrk | 9.99 | 9.99 |',
      '## The ratio guard',
      'Some words.',
      '',
      '| load generator | GET | POST |',
      '|---|---:|---:|',
      '| wrk | 1.70 | 2.40 |',
      '| autocannon | 2.00 | 2.60 |',
      '',
      '| wrk | 5.00 | 5.00 |',
    ].join('\n');
    expect(committedRatios(readme)).toEqual(
      new Map([
        ['wrk', { get: 1.7, post: 2.4 }],
        ['autocannon', { get: 2, post: 2.6 }],
      ]),
    );
  });

  it('refuses a README without the section or without ratios in it', () => {
    expect(() => committedRatios('# The benchmark\n')).toThrow('bench/README.md has no "## The ratio guard" section');
    expect(() => committedRatios('## The ratio guard\n\n| a | b | c |\n|---|---|---|\n')).toThrow(
      `bench/README.md's "## The ratio guard" has no ratios`,
    );
  });

  it('finds ratios for both load generators in the committed bench/README.md', () => {
    const committed = committedRatios(readFileSync('bench/README.md', 'utf8'));
    expect([...committed.keys()].sort()).toEqual(['autocannon', 'wrk']);
    for (const { get, post } of committed.values()) {
      expect(get).toBeGreaterThan(1);
      expect(post).toBeGreaterThan(get);
    }
  });
});

describe('guardFailures', () => {
  const committed = new Map([['wrk', { get: 2, post: 3 }]]);
  const rungs = (get: number, post: number): Rung[] => [
    { key: 'fastify-floor', reqPerS: 1, cpuUs: 10, timesFastify: 1 },
    { key: 'get', reqPerS: 1, cpuUs: get * 10, timesFastify: get },
    { key: 'post', reqPerS: 1, cpuUs: post * 10, timesFastify: post },
  ];

  it('passes ratios up to 30% past the committed ones', () => {
    expect(GUARD_TOLERANCE).toBe(1.3);
    expect(guardFailures(rungs(2.6, 3.9), committed, 'wrk')).toEqual([]);
    expect(guardFailures(rungs(1, 1), committed, 'wrk')).toEqual([]);
  });

  it('names each rung past the limit, with its ratio and the limit', () => {
    expect(guardFailures(rungs(2.61, 3.91), committed, 'wrk')).toEqual([
      "the service, GET /notes/<id>/: 2.61× the Fastify floor's CPU per request, past 2.60 (the committed 2.00 + 30%)",
      "the service, POST /notes/ (200 bytes): 3.91× the Fastify floor's CPU per request, past 3.90 (the committed 3.00 + 30%)",
    ]);
  });

  it('fails when it can check nothing: a rung not measured, a ratio not a number, no committed ratios', () => {
    expect(guardFailures(rungs(2, 3).slice(0, 2), committed, 'wrk')).toEqual([
      "the service, POST /notes/ (200 bytes): not measured, so the ratio guard can't check it",
    ]);
    expect(guardFailures(rungs(Number.NaN, 3), committed, 'wrk')).toHaveLength(1);
    expect(guardFailures(rungs(2, 3), committed, 'autocannon')).toEqual([
      "no ratios committed for autocannon in bench/README.md's ratio guard",
    ]);
  });
});
