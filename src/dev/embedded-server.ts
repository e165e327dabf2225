// Starting and stopping the server of a data directory with PostgreSQL's own
// pg_ctl, which detaches it: it runs outside our process group, so a terminal's
// Ctrl-C reaches the service, which drains first and stops PostgreSQL last.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastLine, run } from './commands.js';
import type { OsUser } from './embedded-files.js';
import { EmbeddedPostgresError } from './embedded-watch.js';

export interface ServerOptions {
  port: number;
  startTimeoutMs: number;
  /** Throw-away: without fsync and full-page writes. */
  ephemeral?: boolean;
  /** More server settings (`-c name=value`). */
  settings?: Record<string, string | number>;
}

type PgCtl = (args: string[], timeoutMs: number) => Promise<unknown>;

export interface ServerControl {
  /** Starts the server, waiting out a port or shared memory a killed one still holds, until startTimeoutMs. */
  start(): Promise<void>;
  /** Stops it (fast shutdown: sessions cut, everything committed kept). */
  stop(): Promise<void>;
}

export function serverControl(
  binDir: string,
  dataDir: string,
  osUser: OsUser | undefined,
  options: ServerOptions,
): ServerControl {
  const pgCtl: PgCtl = (args, timeoutMs) =>
    run(join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], {
      ...(osUser ?? {}),
      cwd: dataDir,
      env: { ...process.env, LC_MESSAGES: 'C' },
      timeout: timeoutMs + 5_000,
    });
  return {
    start: () => startServer(pgCtl, dataDir, options),
    stop: async () => {
      await pgCtl(['stop', '-m', 'fast', '-w', '-t', seconds(options.startTimeoutMs)], options.startTimeoutMs);
    },
  };
}

async function startServer(pgCtl: PgCtl, dataDir: string, options: ServerOptions) {
  const logFile = join(dataDir, 'server.log');
  const settings = [
    `-p ${options.port}`,
    '-c listen_addresses=127.0.0.1',
    '-c unix_socket_directories=', // TCP only: no socket files in /tmp for parallel servers to fight over
    // Throw-away clusters skip fsync: a killed server still keeps every acknowledged
    // commit (the OS has it), only an OS crash could lose one. synchronous_commit
    // stays on, so the fault tests' "201 means durable" holds here too.
    ...(options.ephemeral ? ['-c fsync=off', '-c full_page_writes=off'] : []),
    ...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`),
  ];
  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    try {
      const remaining = Math.max(deadline - Date.now(), 1_000);
      await pgCtl(['start', '-w', '-t', seconds(remaining), '-l', logFile, '-o', settings.join(' ')], remaining);
      return;
    } catch {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      // A killed server's port (or its backends' shared memory) can stay in use a moment: wait for it.
      if (/could not bind|Address already in use|pre-existing shared memory block/.test(log) && Date.now() < deadline) {
        await sleep(500);
        continue;
      }
      throw new EmbeddedPostgresError(
        `PostgreSQL did not start on port ${options.port}: ${lastLine(log, /FATAL|ERROR|could not/)} (log: ${logFile})`,
      );
    }
  }
}

const seconds = (ms: number) => String(Math.ceil(ms / 1000));
