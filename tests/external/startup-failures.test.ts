// Start-up failures from outside: a bad setting or an absent database stops the
// start with exit code 1 and one line on stderr, never a stack trace.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { readTestSettings } from '../support/settings.js';

const settings = readTestSettings();

describe.skipIf(settings.appUrl).concurrent('start-up failures', () => {
  // Asynchronous, so that the concurrent tests really overlap.
  const run = (entry: string, env: Record<string, string>) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entry],
        { env: { ...process.env, POSTGRES_HOST: '', ...env }, timeout: 30_000 },
        (error, _stdout, stderr) => resolve({ status: error ? (error.code as number) : 0, stderr }),
      );
    });

  it('stops on an invalid setting with exit code 1 and one line naming it', async () => {
    const result = await run('src/process/dev-server.ts', { API_PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'notes-service: failed to start: API_PORT must be a whole number from 0 to 65535, got "eighty"\n',
    );
  });

  it('refuses to run the production entry without POSTGRES_HOST', async () => {
    const result = await run('src/process/server.ts', {});
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^notes-service: failed to start: POSTGRES_HOST must be set/);
  });

  it('gives up with one line when the database never answers', async () => {
    const result = await run('src/process/server.ts', {
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(await freePort()),
      POSTGRES_WAIT_TIMEOUT_MS: '500',
      POSTGRES_WAIT_INTERVAL_MS: '100',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^notes-service: failed to start: the database did not answer within 500 ms/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
