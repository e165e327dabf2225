// Process lifecycle shared by the entries: closers run newest-first on SIGINT or
// SIGTERM (so the HTTP server stops before the database it uses), a second signal
// exits at once, and a start-up failure is one line on stderr and exit code 1.
// Shutdown runs once however many ask for it (a signal, the embedded database
// giving up): a later request waits for the one under way.

type Closer = () => Promise<void>;

/** A second signal sooner than this after the first is the same one delivered twice. */
const REPEAT_IS_DUPLICATE_MS = 500;

export interface ShutdownOptions {
  /** How the process ends; process.exit. */
  exit?: (code: number) => void;
  /** Where SIGINT and SIGTERM come from; the process. */
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
}

export class Shutdown {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | undefined;
  private exitCode = 0;
  private readonly exit: (code: number) => void;

  constructor(
    private readonly log: (line: string) => void,
    { exit = (code) => process.exit(code), signals = process }: ShutdownOptions = {},
  ) {
    this.exit = exit;
    let first = 0;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      signals.on(signal, () => {
        if (this.closing) {
          // The same signal twice at once is one signal delivered twice: to the whole
          // process group (a terminal's Ctrl-C, kill -- -pgid) and once more by npm,
          // which passes on what it gets. Only a later one means "now".
          if (Date.now() - first < REPEAT_IS_DUPLICATE_MS) return;
          this.log(`${signal} again: exiting without waiting`);
          this.exit(1);
          return;
        }
        first = Date.now();
        this.log(`${signal}: shutting down`);
        void this.run(0);
      });
    }
  }

  /** Runs at shutdown, before every closer added earlier; added during shutdown, it still runs. */
  add(closer: Closer): void {
    this.closers.push(closer);
  }

  /**
   * Runs every closer once, newest first, then exits with the highest code asked
   * for (1 if a closer failed). Asked again while it runs, it waits for the same end.
   */
  run(code: number): Promise<void> {
    this.exitCode = Math.max(this.exitCode, code);
    this.closing ??= this.closeAll().then(() => this.exit(this.exitCode));
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    for (let closer = this.closers.pop(); closer; closer = this.closers.pop()) {
      try {
        await closer();
      } catch (error) {
        this.log(`shutdown step failed: ${(error as Error).message}`);
        this.exitCode = 1;
      }
    }
  }

  /** Reports a start-up failure in one line and exits 1 after closing what had started. */
  async fail(error: unknown): Promise<void> {
    reportFailure('failed to start', error);
    return this.run(1);
  }

  /** Runs the start-up steps, each adding its closer; one failing closes the earlier ones (fail). */
  async start(steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (error) {
      await this.fail(error);
    }
  }
}

/** An entry's main: a failure that escapes it (bad config, before any closer) is one line and exit code 1. */
export function runMain(what: string, main: () => Promise<void>): void {
  main().catch((error) => {
    reportFailure(what, error);
    process.exit(1);
  });
}

/** One plain line on stderr, whatever the log format: the first thing a user reads when a start fails. */
export function reportFailure(what: string, error: unknown): void {
  process.stderr.write(`notes-service: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
}
