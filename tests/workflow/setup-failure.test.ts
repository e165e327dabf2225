// A test run whose setup fails (here: the database it is pointed at never
// answers) says why right under Vitest's banner, before any report of a file,
// and each file that needed what failed to start fails with the same cause.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { ROOT } from '../support/make.js';

describe('a test run whose setup fails', () => {
  it('says the cause first, under the banner, and exits non-zero', async () => {
    const port = await freePort(); // nothing listens there
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'sh',
        // One stream, as a terminal shows them: which line comes first is the point.
        [
          '-c',
          `"${process.execPath}" node_modules/vitest/vitest.mjs run --project integrated tests/integrated/db/driver.test.ts 2>&1`,
        ],
        {
          cwd: ROOT,
          env: {
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
            POSTGRES_HOST: '127.0.0.1',
            POSTGRES_PORT: String(port),
            POSTGRES_WAIT_TIMEOUT_MS: '300',
            POSTGRES_WAIT_INTERVAL_MS: '100',
            NO_COLOR: '1',
          },
          timeout: 60_000,
        },
        (error, stdout) => resolve({ code: error ? Number(error.code) : 0, output: stdout }),
      );
    });
    expect(result.code).not.toBe(0);
    // Vitest's banner (" RUN  v4…") comes before any setup runs; the cause is the next line.
    const [banner, first] = result.output.split('\n').filter((line) => line.trim());
    expect(banner).toMatch(/^ RUN {2}v\d/);
    const cause = 'the database did not answer within 300 ms (connect ECONNREFUSED';
    expect(first).toBe(
      `test setup failed, so no test that needs its database or service can run: ${cause} 127.0.0.1:${port})`,
    );
    expect(result.output).toContain(`Error: the test setup failed, so this file can't run: ${cause}`);
    expect(result.output).toMatch(/^ Test Files {2}1 failed \(1\)$/m);
  });
});
