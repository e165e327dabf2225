// Start-up failures from outside: a bad setting, an absent database or a port
// already taken stops the start with exit code 1 and one line on stderr, never a
// stack trace and never a long wait.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { type ServiceEntry, serviceNodeArgs } from '../../tools/service-build.js';
import { readTestSettings } from '../support/settings.js';

const settings = readTestSettings();
// Each start below must fail before the app's modules load: this hook fails it in
// other words if it loads them (watch mode's reruns of this file count on it).
const APP_NEVER_LOADS = ['--import', fileURLToPath(new URL('../support/app-never-loads.mjs', import.meta.url))];
// A start below that must fail at once is allowed a long wait (WAIT_MS), twice
// the test's own time limit: one that waited it out can't pass. Its message names
// the cause it stopped at, which a wait would not. No wall-clock bound besides:
// two suites on two loaded cores take 20 s for what takes 2 alone.
const WAIT_MS = 120_000;
const TEST_LIMIT_MS = WAIT_MS / 2;

describe.skipIf(settings.appUrl).concurrent('start-up failures', { timeout: TEST_LIMIT_MS }, () => {
  // Each entry bundled once for the file's five starts.
  const entries = new Map<ServiceEntry, Promise<string[]>>();
  const nodeArgs = (entry: ServiceEntry) => {
    let args = entries.get(entry);
    if (!args) {
      args = serviceNodeArgs(entry);
      entries.set(entry, args);
    }
    return args;
  };
  // Asynchronous, so that the concurrent tests really overlap.
  const run = async (entry: ServiceEntry, env: Record<string, string>) => {
    const args = await nodeArgs(entry);
    return new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [...APP_NEVER_LOADS, ...args],
        { env: { ...process.env, POSTGRES_HOST: '', ...env }, timeout: TEST_LIMIT_MS - 5_000 }, // a hang ends within the test
        (error, _stdout, stderr) => resolve({ status: error ? (error.code as number) : 0, stderr }),
      );
    });
  };

  it('stops on an invalid setting with exit code 1 and one line naming it', async () => {
    const result = await run('devServer', { API_PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'notes-service: failed to start: API_PORT must be a whole number from 0 to 65535, got "eighty"\n',
    );
  });

  it('refuses to run the production entry without POSTGRES_HOST', async () => {
    const result = await run('server', {});
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^notes-service: failed to start: POSTGRES_HOST must be set/);
  });

  /** Something else listening on a free port while `work` runs. */
  const whileTaken = async <T>(work: (port: number) => Promise<T>): Promise<T> => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      return await work((squatter.address() as { port: number }).port);
    } finally {
      squatter.close();
    }
  };

  it('names POSTGRES_PORT and the way out at once when the embedded PostgreSQL’s port is taken', async () => {
    const result = await whileTaken((port) =>
      run('devServer', {
        POSTGRES_PORT: String(port),
        EMBEDDED_POSTGRES_DATA_DIR: join(tmpdir(), `notes-taken-${port}`, 'postgres'),
        EMBEDDED_POSTGRES_START_TIMEOUT_MS: String(WAIT_MS),
        EMBEDDED_POSTGRES_PORT_WAIT_MS: '0', // its wait is the integrated tier's to test
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^notes-service: failed to start: POSTGRES_PORT \d+ is taken by another program .*set POSTGRES_PORT to a free one \(scripts\/free-port prints one\)/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names API_PORT and the way out at once when the API port is taken, before waiting for a database', async () => {
    const result = await whileTaken((port) =>
      run('server', {
        API_PORT: String(port),
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_PORT: '1', // no database would answer: the port is said first
        POSTGRES_WAIT_TIMEOUT_MS: String(WAIT_MS),
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^notes-service: failed to start: API_PORT \d+ is taken on 127\.0\.0\.1: set API_PORT to a free one \(scripts\/free-port prints one\)\n$/,
    );
  });

  it('gives up with one line when the database never answers', async () => {
    const result = await run('server', {
      API_PORT: '0', // any free one: the default 8080 may be npm start's
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(await freePort()),
      // Short: what is tested is that the wait ends in one line, and this file is the longest of a rerun.
      POSTGRES_WAIT_TIMEOUT_MS: '200',
      POSTGRES_WAIT_INTERVAL_MS: '50',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^notes-service: failed to start: the database did not answer within 200 ms/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
