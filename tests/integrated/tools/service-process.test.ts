// How the tests start a service of their own (tools/service-process.ts), with
// stand-in processes that behave the way a service can: one that dies before it
// answers ends the wait at once with its own words; one whose port was taken in
// the moment after it was chosen gets another port.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProcess } from '../../../tools/service-process.js';

// Far longer than the test may take: a start that waited it out can't pass, and
// the messages below name where each one stopped.
const WAIT = { timeoutMs: 120_000, intervalMs: 50 };

describe('startProcess', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notes-service-process-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('ends the wait as soon as the process exits, with its code and its last lines', async () => {
    const log = join(dir, 'service.log');
    const started = startProcess(
      ['-e', 'console.error("notes-service: failed to start: a reason"); process.exit(3)'],
      log,
      WAIT,
      {
        env: {},
      },
    );
    await expect(started).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:\d+\/ did not answer 200: the service exited with code 3 before answering\n--- .*service\.log ---\nnotes-service: failed to start: a reason$/,
    );
  });

  it('starts again on another port when the chosen one was taken before the process bound it', async () => {
    const log = join(dir, 'service.log');
    const marker = join(dir, 'first-attempt');
    // The first start says what the service says of a taken port; the next one serves.
    const standIn = `
      const { existsSync, writeFileSync } = require('node:fs');
      const port = process.env.API_PORT;
      if (!existsSync(${JSON.stringify(marker)})) {
        writeFileSync(${JSON.stringify(marker)}, port);
        console.error('notes-service: failed to start: API_PORT ' + port + ' is taken on 127.0.0.1: set API_PORT to a free one');
        process.exit(1);
      }
      require('node:http').createServer((request, response) => response.end('{}')).listen(Number(port), '127.0.0.1');`;
    const service = await startProcess(['-e', standIn], log, WAIT, { env: {} });
    try {
      const firstPort = Number(await readFile(marker, 'utf8'));
      expect(service.port).not.toBe(firstPort);
      expect((await fetch(`${service.url}/`)).status).toBe(200);
      expect(await readFile(log, 'utf8')).toContain(`API_PORT ${firstPort} is taken`);
    } finally {
      await service.stop();
    }
  });

  it('does not try another port when the caller chose it', async () => {
    const started = startProcess(
      ['-e', 'console.error("API_PORT " + process.env.API_PORT + " is taken on 127.0.0.1"); process.exit(1)'],
      join(dir, 'service.log'),
      WAIT,
      { env: { API_PORT: '1' } },
    );
    await expect(started).rejects.toThrow(
      /the service exited with code 1 before answering\n.*\nAPI_PORT 1 is taken on 127\.0\.0\.1$/,
    );
  });
});
