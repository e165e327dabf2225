// One running service (src/process/service.ts) on the test database, reloading
// the way npm run dev does, but with the saves and the rebuilt code handed in by
// the test: every save is answered by a line, a failed one too, and the next save
// after a failure still takes effect.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { assembleApp } from '../../../src/process/assemble.js';
import { type Reloader, startService } from '../../../src/process/service.js';
import { testDatabase } from '../../support/provided.js';

/** A reloader whose saves the test makes: each save() rebuilds with the assembler given; a failure goes to onError. */
function handReloader() {
  let onChange: (() => Promise<void>) | undefined;
  let onError: ((error: unknown) => void) | undefined;
  let next: typeof assembleApp = assembleApp;
  const reloader: Reloader = {
    async watch(change, error) {
      onChange = change;
      onError = error;
      return { close: async () => {} };
    },
    freshAssembler: async () => next,
  };
  return {
    reloader,
    async save(assembler: typeof assembleApp) {
      next = assembler;
      await onChange?.().catch(onError);
    },
  };
}

describe('a service reloading on saves', () => {
  it('answers each save with one line, keeps serving past a broken one, and recovers after a failed listen', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line).msg) });
    // No event-loop shedding: a loaded machine must not turn the readiness checked here into a 503.
    const config = loadConfig({ API_PORT: '0', SHUTDOWN_GRACE_MS: '1000', SHED_EVENT_LOOP_DELAY_MS: '0' });
    const hand = handReloader();
    const service = await startService(config, testDatabase(), logger, hand.reloader);
    // The status, and a failure's body: a 503 says why (database_unavailable, and its message).
    const serving = async () => {
      const response = await fetch(`${service.url}/`).catch(() => undefined);
      return response?.status === 200 ? 200 : response && `${response.status} ${await response.text()}`;
    };
    try {
      const since = () => lines.splice(0).filter((line) => line.startsWith('reload'));
      since();

      await hand.save(() => {
        throw new SyntaxError('Unexpected token (src/notes/routes.ts:12:3)');
      });
      expect(since()).toEqual([
        'reload failed, still serving the previous version: Unexpected token (src/notes/routes.ts:12:3)',
      ]);
      expect(await serving()).toBe(200);

      await hand.save((...args) => {
        const app = assembleApp(...args);
        app.listen = (async () => {
          throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
        }) as never;
        return app;
      });
      const port = new URL(service.url).port;
      expect(since()).toEqual([
        `reload failed, nothing serves until the next save: API_PORT ${port} is taken on 127.0.0.1: set API_PORT to a free one (scripts/free-port prints one)`,
      ]);
      expect(await serving()).toBeUndefined();

      await hand.save(assembleApp);
      expect(since()).toEqual([expect.stringMatching(/^reloaded in \d+ ms$/)]);
      expect(await serving()).toBe(200);
    } finally {
      await service.close();
    }
  });
});

describe('a service given a HOST it cannot listen on', () => {
  // The database is never reached: the address is tried before the wait for it.
  const nowhere = { ...testDatabase(), port: 1, waitTimeoutMs: 30_000 };
  const start = (env: Record<string, string>) =>
    startService(loadConfig(env), nowhere, createLogger('silent')).then(
      () => 'started',
      (error: Error) => `${error.name}: ${error.message}`,
    );

  it.each([
    [
      '999.1.1.1',
      '0',
      'HOST 999.1.1.1 does not resolve: set HOST to an address of this machine (0.0.0.0: all of them)',
    ],
    [
      '999.1.1.1',
      '8080',
      'HOST 999.1.1.1 does not resolve: set HOST to an address of this machine (0.0.0.0: all of them)',
    ],
    ['192.0.2.1', '0', 'HOST 192.0.2.1 is not an address of this machine: set HOST to one (0.0.0.0: all of them)'],
  ])('HOST=%s with API_PORT=%s stops at once in one line naming HOST', async (host, port, line) => {
    const started = Date.now();
    expect(await start({ HOST: host, API_PORT: port })).toBe(`ConfigError: ${line}`);
    expect(Date.now() - started).toBeLessThan(15_000); // half the wait for the database: it did not wait
  });
});
