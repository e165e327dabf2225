// The embedded PostgreSQL's start (src/dev/embedded.ts) where the tests' own
// clusters depend on it: a taken port is waited for EMBEDDED_POSTGRES_PORT_WAIT_MS
// and then named, and a throw-away cluster is a copy of one template, made once.
import { readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startEmbeddedPostgres } from '../../../src/dev/embedded.js';
import { claimRunDir } from '../../support/run-dir.js';

const config = loadConfig({});

let dir: string;
beforeEach(async () => {
  dir = await claimRunDir('embedded-');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A listener on a free port of 127.0.0.1, as another program's PostgreSQL would be. */
async function squat(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

const start = (port: number, portWaitMs: number, log: (line: string) => void = () => {}) =>
  startEmbeddedPostgres({
    ...config.postgres,
    port,
    dataDir: join(dir, 'postgres'),
    startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
    portWaitMs,
    ephemeral: true,
    log,
  });

describe('a taken POSTGRES_PORT', () => {
  it('is named at the first look when EMBEDDED_POSTGRES_PORT_WAIT_MS is 0', async () => {
    const { port, server } = await squat();
    const lines: string[] = [];
    try {
      await expect(start(port, 0, (line) => lines.push(line))).rejects.toThrow(
        `POSTGRES_PORT ${port} is taken by another program (a PostgreSQL of your own?): set POSTGRES_PORT to a free one`,
      );
      expect(lines).toEqual([]); // no wait was announced
    } finally {
      server.close();
    }
  });

  // One start for both (a cluster costs a third of a second of two cores).
  it('is waited for while EMBEDDED_POSTGRES_PORT_WAIT_MS lasts: a port let go of in that time is used, by a cluster copied from a template', async () => {
    const { port, server } = await squat();
    // Let go of once the start has found it taken, which it says.
    const lines: string[] = [];
    const embedded = await start(port, 120_000, (line) => {
      lines.push(line);
      if (line.startsWith(`POSTGRES_PORT ${port} is taken`)) server.close();
    });
    try {
      expect(lines).toContain(`POSTGRES_PORT ${port} is taken: waiting up to 120000 ms for it to be let go of`);
      const sql = postgres({ ...config.postgres, host: '127.0.0.1', port, max: 1 });
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      await sql.end();

      // The cluster: a copy of the template for these binaries, this user and this password, in this OS user's directory.
      const created = lines.find((line) => line.startsWith('creating a new PostgreSQL cluster'));
      const template = /^creating a new PostgreSQL cluster in (.+) \(a copy of (.+)\)$/.exec(created ?? '');
      expect(template?.[1]).toBe(join(dir, 'postgres'));
      expect(template?.[2]).toMatch(new RegExp(`/notes-service-templates-${userInfo().uid}/template-[0-9a-f]{12}$`));
      expect(await readFile(join(embedded.dataDir, 'PG_VERSION'), 'utf8')).toBe(
        await readFile(join(template?.[2] ?? '', 'PG_VERSION'), 'utf8'),
      );
    } finally {
      await embedded.stop();
    }
    await expect(stat(join(dir, 'postgres'))).rejects.toThrow(/ENOENT/); // a throw-away cluster is removed on stop
  });
});
