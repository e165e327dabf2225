// Process lifecycle shared by the entries: closers run newest-first on SIGINT or
// SIGTERM (so the HTTP server stops before the database it uses), a second signal
// exits at once, and a start-up failure is one line on stderr and exit code 1.

type Closer = () => Promise<void>;

/** A second signal sooner than this after the first is the same one delivered twice. */
const REPEAT_IS_DUPLICATE_MS = 500;

export class Shutdown {
  private readonly closers: Closer[] = [];
  private closing = false;

  constructor(private readonly log: (line: string) => void) {
    let first = 0;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (this.closing) {
          // The same signal twice at once is one signal delivered twice: to the whole
          // process group (a terminal's Ctrl-C, kill -- -pgid) and once more by npm,
          // which passes on what it gets. Only a later one means "now".
          if (Date.now() - first < REPEAT_IS_DUPLICATE_MS) return;
          this.log(`${signal} again: exiting without waiting`);
          process.exit(1);
        }
        first = Date.now();
        this.log(`${signal}: shutting down`);
        void this.run(0);
      });
    }
  }

  add(closer: Closer): void {
    this.closers.push(closer);
  }

  /** Runs every closer newest-first, then exits with `code` (1 if a closer failed). */
  async run(code: number): Promise<never> {
    this.closing = true;
    let exitCode = code;
    for (const closer of this.closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        this.log(`shutdown step failed: ${(error as Error).message}`);
        exitCode = 1;
      }
    }
    process.exit(exitCode);
  }

  /** Reports a start-up failure in one line and exits 1 after closing what had started. */
  async fail(error: unknown): Promise<never> {
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
