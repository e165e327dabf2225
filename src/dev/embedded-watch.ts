// npm start's watch over its embedded PostgreSQL: every `intervalMs` after the
// last check ended, is the server alive? When it died (killed, out of memory),
// start it again on the same data, like a compose restart policy; PostgreSQL
// recovers from its WAL. A restart can take a minute, so the next check is only
// scheduled once a check is done: checks never pile up behind a slow restart.

export interface WatchOptions {
  intervalMs: number;
  /** Gets the reason when the server can't be restarted, or died too often. */
  giveUp: (reason: Error) => void;
}

/** More deaths than this within RESTART_WINDOW_MS: something is wrong that a restart won't fix. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface WatchedServer {
  dataDir: string;
  isAlive(): Promise<boolean>;
  restart(): Promise<void>;
  log(line: string): void;
}

/** Starts watching; stop() ends the watch, waiting out a check or restart under way. */
export function watchServer(server: WatchedServer, { intervalMs, giveUp }: WatchOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let check: Promise<void> = Promise.resolve();
  const restarts: number[] = [];

  const alive = async () => {
    if (stopped || (await server.isAlive())) return;
    restarts.push(Date.now());
    while ((restarts[0] ?? 0) < Date.now() - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      stopped = true;
      return giveUp(
        new EmbeddedPostgresError(
          `the embedded PostgreSQL died ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s: see ${server.dataDir}/server.log`,
        ),
      );
    }
    server.log(
      `the embedded PostgreSQL in ${server.dataDir} exited unexpectedly: restarting it (its data recovers from the WAL)`,
    );
    try {
      await server.restart();
      server.log('the embedded PostgreSQL is back');
    } catch (error) {
      stopped = true;
      giveUp(error as Error);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      check = alive()
        .catch((error: unknown) => {
          stopped = true;
          giveUp(error as Error);
        })
        .finally(schedule);
    }, intervalMs).unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await check;
    },
  };
}
