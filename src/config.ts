// Environment → one typed, validated, frozen Config. Read once at start; every
// port, credential, wait and timeout lives here with its default beside it.
// A bad value throws ConfigError naming the variable and the accepted form.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface PostgresConfig {
  /** Unset means "use the embedded PostgreSQL" (development entry only). */
  readonly host: string | undefined;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Client-side deadline on every database call of a request (→ 503 past it). */
  readonly queryTimeoutMs: number;
  readonly waitTimeoutMs: number;
  readonly waitIntervalMs: number;
  /** Longest pause between reconnect attempts of a pool connection. */
  readonly reconnectMaxDelayMs: number;
  /** How concurrent plain creates and reads by id share statements. */
  readonly batching: {
    /** The most creates, or reads, one statement carries (1: one statement each). */
    readonly maxBatch: number;
    /** The most statements of each kind in flight at once. */
    readonly maxInFlight: number;
  };
}

export interface SheddingLimits {
  /** Mean event-loop delay over a sample, in ms. */
  readonly eventLoopDelayMs: number;
  /** V8 heap in use, in bytes. */
  readonly heapUsedBytes: number;
  /** Requests being served at once. */
  readonly inFlightRequests: number;
  /** How often the event-loop delay and the heap are sampled. */
  readonly sampleIntervalMs: number;
}

export interface EmbeddedPostgresConfig {
  readonly dataDir: string;
  readonly startTimeoutMs: number;
  /** How often npm start checks that its PostgreSQL is alive, restarting it if not; 0: never. */
  readonly watchIntervalMs: number;
}

export interface Config {
  readonly host: string;
  readonly apiPort: number;
  readonly logLevel: LogLevel;
  readonly noteMaxLength: number;
  readonly idempotencyKeyTtlMs: number;
  readonly bodyLimitBytes: number;
  /** The most a page holds, in UTF-8 bytes of its notes; one note always fits. */
  readonly pageMaxBytes: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** How long a connection closed on a rejected body keeps reading, so the client can read the answer. */
  readonly lingeringCloseMs: number;
  /** When set, every /notes route (and /metrics) requires `Authorization: Bearer <apiToken>`. */
  readonly apiToken: string | undefined;
  readonly metricsEnabled: boolean;
  /** Past any of these a request gets a fast 503 `overloaded` (0 turns one off). */
  readonly shedding: SheddingLimits;
  readonly shutdownGraceMs: number;
  readonly postgres: PostgresConfig;
  readonly embeddedPostgres: EmbeddedPostgresConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = reader(env);
  const noteMaxLength = read.integer('NOTE_MAX_LENGTH', 100_000, 1, 10_000_000);
  const bodyLimitBytes = read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824);
  // A JSON string can need up to 6 bytes per character ("\u0000"); a limit below
  // that would turn a note of allowed length into a 413.
  if (bodyLimitBytes < noteMaxLength * 6 + 64) {
    throw new ConfigError(
      `BODY_LIMIT_BYTES must be at least 6 × NOTE_MAX_LENGTH + 64 (= ${noteMaxLength * 6 + 64}), got ${bodyLimitBytes}`,
    );
  }
  const requestTimeoutMs = read.integer('REQUEST_TIMEOUT_MS', 30_000, 1, 3_600_000);
  const headersTimeoutMs = read.integer('HEADERS_TIMEOUT_MS', 10_000, 1, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    // Node's own rule: the headers arrive within the time for the whole request.
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got ${headersTimeoutMs}`,
    );
  }
  return deepFreeze({
    host: read.string('HOST', '127.0.0.1'),
    apiPort: read.port('API_PORT', 8080, 0), // 0: any free port, printed at start
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    noteMaxLength,
    idempotencyKeyTtlMs: read.integer('IDEMPOTENCY_KEY_TTL_MS', 86_400_000, 1_000, 31_536_000_000),
    bodyLimitBytes,
    pageMaxBytes: read.integer('PAGE_MAX_BYTES', 1_048_576, 1024, 1_073_741_824),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: read.integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1, 3_600_000),
    lingeringCloseMs: read.integer('LINGERING_CLOSE_MS', 5_000, 0, 600_000),
    apiToken: read.optionalString('API_TOKEN'),
    metricsEnabled: read.boolean('METRICS_ENABLED', false),
    shedding: {
      eventLoopDelayMs: read.integer('SHED_EVENT_LOOP_DELAY_MS', 200, 0, 60_000),
      heapUsedBytes: read.integer('SHED_HEAP_USED_BYTES', 1_073_741_824, 0, 68_719_476_736),
      inFlightRequests: read.integer('SHED_IN_FLIGHT_REQUESTS', 1_000, 0, 1_000_000),
      sampleIntervalMs: read.integer('SHED_SAMPLE_INTERVAL_MS', 500, 10, 60_000),
    },
    shutdownGraceMs: read.integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    postgres: {
      host: read.optionalString('POSTGRES_HOST'),
      port: read.port('POSTGRES_PORT', 5432),
      user: read.string('POSTGRES_USER', 'postgres'),
      password: read.string('POSTGRES_PASSWORD', 'postgres'),
      database: read.string('POSTGRES_DB', 'postgres'),
      poolSize: read.integer('POSTGRES_POOL_SIZE', 10, 1, 1000),
      connectTimeoutMs: read.integer('POSTGRES_CONNECT_TIMEOUT_MS', 5_000, 1, 600_000),
      statementTimeoutMs: read.integer('POSTGRES_STATEMENT_TIMEOUT_MS', 10_000, 0, 3_600_000),
      queryTimeoutMs: read.integer('POSTGRES_QUERY_TIMEOUT_MS', 5_000, 1, 3_600_000),
      waitTimeoutMs: read.integer('POSTGRES_WAIT_TIMEOUT_MS', 30_000, 0, 3_600_000),
      waitIntervalMs: read.integer('POSTGRES_WAIT_INTERVAL_MS', 200, 1, 60_000),
      reconnectMaxDelayMs: read.integer('POSTGRES_RECONNECT_MAX_DELAY_MS', 500, 0, 60_000),
      batching: {
        maxBatch: read.integer('POSTGRES_BATCH_MAX_SIZE', 100, 1, 10_000),
        maxInFlight: read.integer('POSTGRES_BATCH_MAX_IN_FLIGHT', 2, 1, 1_000),
      },
    },
    embeddedPostgres: {
      dataDir: read.string('EMBEDDED_POSTGRES_DATA_DIR', '.data/postgres'),
      startTimeoutMs: read.integer('EMBEDDED_POSTGRES_START_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
      watchIntervalMs: read.integer('EMBEDDED_POSTGRES_WATCH_INTERVAL_MS', 1_000, 0, 600_000),
    },
  });
}

/** Typed, checked reads of environment variables; a bad value throws ConfigError naming it. */
export function reader(env: NodeJS.ProcessEnv) {
  const raw = (name: string): string | undefined => {
    // An empty variable counts as unset, as in docker-compose's `VAR=`.
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const parseInteger = (name: string, value: string, min: number, max: number): number => {
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return parsed;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    return value === undefined ? fallback : parseInteger(name, value, min, max);
  };
  return {
    integer,
    /** Comma-separated whole numbers, each within [min, max]. */
    integers(name: string, fallback: number[], min: number, max: number): number[] {
      const value = raw(name);
      if (value === undefined) return fallback;
      return value.split(',').map((part) => parseInteger(`each of ${name}`, part.trim(), min, max));
    },
    port: (name: string, fallback: number, min = 1) => integer(name, fallback, min, 65_535),
    optionalString: raw,
    boolean(name: string, fallback: boolean): boolean {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (/^(true|1|yes)$/i.test(value)) return true;
      if (/^(false|0|no)$/i.test(value)) return false;
      throw new ConfigError(`${name} must be true or false, got "${value}"`);
    },
    string: (name: string, fallback: string) => raw(name) ?? fallback,
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
