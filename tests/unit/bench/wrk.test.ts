import { describe, expect, it } from 'vitest';
import { parseWrk } from '../../../bench/wrk.js';

// Reports as wrk 4.1 (Debian) prints them with --latency.
const CLEAN = `Running 10s test @ http://127.0.0.1:41000
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.84ms    1.52ms  31.20ms   83.10%
    Req/Sec    16.71k     1.02k   18.40k    74.00%
  Latency Distribution
     50%    3.60ms
     75%    4.40ms
     90%    5.50ms
     99%    9.10ms
  166213 requests in 10.01s, 55.18MB read
Requests/sec:  16605.21
Transfer/sec:      5.51MB
`;

const FAILING = `Running 1s test @ http://127.0.0.1:38999
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.03ms  13.95ms   90.06%
    Req/Sec     1.73k    93.50     1.91k    80.00%
  Latency Distribution
     50%  812.00us
     75%    2.58ms
     90%    3.05ms
     99%    1.20s
  1722 requests in 1.00s, 0.85MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 1722
Requests/sec:   1721.12
Transfer/sec:      0.85MB
`;

describe('parseWrk', () => {
  it('reads the count, the rate and the median and 99th percentile in milliseconds', () => {
    expect(parseWrk(CLEAN)).toEqual({ count: 166213, reqPerS: 16605.21, p50Ms: 3.6, p99Ms: 9.1, errors: 0 });
  });

  it('converts microseconds and seconds, and counts failed responses and socket errors as errors', () => {
    expect(parseWrk(FAILING)).toEqual({ count: 1722, reqPerS: 1721.12, p50Ms: 0.812, p99Ms: 1200, errors: 1727 });
  });

  it('refuses output without a request count rather than report zero', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/no request count/);
  });
});
