// Environment → one typed, validated, frozen Config. Read once at start. Every
// setting is declared once, below in SETTINGS: its variable, type, default,
// range and documentation in one read; the Config type is derived from those
// reads, and docs/configuration.md and .env.example are generated from them (npm
// run settings), so nothing can drift. A bad value throws ConfigError naming the
// variable and the accepted form; the rules that tie settings together follow
// the declarations.
import { ConfigError, type RecordSetting, reader, type Setting } from './config-reader.js';

export type SslMode = 'disable' | 'require' | 'verify-full';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-full'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Read = ReturnType<typeof reader>;
/** A setting (one read of the environment), or a group of them. */
type Declaration = ((read: Read) => unknown) | { readonly [key: string]: Declaration };
/** What the declarations read: each read's type, groups as objects. */
type Resolved<D> = D extends (read: Read) => infer T ? T : { readonly [K in keyof D]: Resolved<D[K]> };

const SETTINGS = {
  host: (read) => read.string('HOST', '127.0.0.1', 'address the API listens on (0.0.0.0 in a container)'),
  apiPort: (read) => read.port('API_PORT', 8080, 0, 'API port; 0 picks a free one, printed at start'),
  logLevel: (read) => read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info', 'what the log holds'),
  noteMaxLength: (read) =>
    read.integer(
      'NOTE_MAX_LENGTH',
      100_000,
      1,
      10_000_000,
      'longest note, in UTF-16 code units (JavaScript string length): a letter is 1, most emoji 2',
    ),
  idempotencyKeyTtlMs: (read) =>
    read.integer(
      'IDEMPOTENCY_KEY_TTL_MS',
      86_400_000,
      1_000,
      31_536_000_000,
      'how long an Idempotency-Key is remembered',
    ),
  bodyLimitBytes: (read) =>
    read.integer(
      'BODY_LIMIT_BYTES',
      1_048_576,
      1024,
      1_073_741_824,
      'largest request body; at least 6 × NOTE_MAX_LENGTH + 700 (a note JSON-escaped, 6 bytes a unit, and 700 ' +
        'for the rest of the body: its keys, and a category of at most 100 units escaped alike)',
    ),
  pageMaxBytes: (read) =>
    read.integer(
      'PAGE_MAX_BYTES',
      1_048_576,
      1024,
      1_073_741_824,
      "a page's byte budget in GET /notes/?limit=…, counting each note's UTF-8 bytes (contents and category) " +
        'plus 94: a page ends, with its Link, before the first note that would start past it, so it holds ' +
        'at most one note more than fits, and always one. 1 MiB: 3 or 4 notes of the longest kind, ~4 000 of ' +
        '200 bytes: no ordinary page is cut, and 16 clients at once cost tens of MB, not GB',
    ),
  requestTimeoutMs: (read) =>
    read.integer(
      'REQUEST_TIMEOUT_MS',
      30_000,
      1,
      3_600_000,
      'longest time to receive a whole request; a slower client gets 408',
    ),
  headersTimeoutMs: (read) =>
    read.integer(
      'HEADERS_TIMEOUT_MS',
      10_000,
      1,
      3_600_000,
      'longest time to receive the headers; at most REQUEST_TIMEOUT_MS',
    ),
  keepAliveTimeoutMs: (read) =>
    read.integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1, 3_600_000, 'how long an idle keep-alive connection stays open'),
  lingeringCloseMs: (read) =>
    read.integer(
      'LINGERING_CLOSE_MS',
      5_000,
      0,
      600_000,
      "after answering a body it won't read (a 413), how long the service reads and drops the rest before " +
        "it closes, so the client isn't reset before it reads the answer; 0: close at once",
    ),
  apiToken: (read) =>
    read.optionalString(
      'API_TOKEN',
      'when set, every feature route (/notes) and /metrics require Authorization: Bearer <API_TOKEN>',
    ),
  stackId: (read) =>
    read.optionalString(
      'STACK_ID',
      'the stack this instance belongs to, answered by GET / as "stack": make run sets it, so that make test ' +
        'tests the stack it started and no other server on its port',
    ),
  metricsEnabled: (read) => read.boolean('METRICS_ENABLED', false, 'serve Prometheus metrics at /metrics'),
  shedding: {
    eventLoopDelayMs: (read) =>
      read.integer(
        'SHED_EVENT_LOOP_DELAY_MS',
        200,
        0,
        60_000,
        'past this mean event-loop delay over a sample, 503 overloaded (0: no limit); under the ' +
          "benchmark's full load the delay stays in single-digit ms",
      ),
    heapUsedBytes: (read) =>
      read.integer(
        'SHED_HEAP_USED_BYTES',
        1_073_741_824,
        0,
        68_719_476_736,
        "past this V8 heap in use, 503 overloaded (0: no limit); keep it below the container's memory limit",
      ),
    inFlightRequests: (read) =>
      read.integer(
        'SHED_IN_FLIGHT_REQUESTS',
        1_000,
        0,
        1_000_000,
        'past this many requests being served at once, 503 overloaded at once (0: no limit): far above ' +
          "what the pool serves (the benchmark's 64 connections never reach it), low enough that a stalled " +
          "database can't pile up requests without end",
      ),
    sampleIntervalMs: (read) =>
      read.integer(
        'SHED_SAMPLE_INTERVAL_MS',
        500,
        10,
        60_000,
        'how often the event-loop delay and the heap are sampled',
      ),
  },
  shutdownDrainMs: (read) =>
    read.integer(
      'SHUTDOWN_DRAIN_MS',
      0,
      0,
      600_000,
      'on SIGTERM or SIGINT, how long GET / and /health/ready answer 503 shutting_down while every other ' +
        'request is still served, before the listener closes: longer than the load balancer needs to see ' +
        'the instance unready (its check interval × fall count); 0 for local development',
    ),
  shutdownGraceMs: (read) =>
    read.integer(
      'SHUTDOWN_GRACE_MS',
      10_000,
      0,
      600_000,
      'on SIGTERM or SIGINT, how long in-flight requests may finish before their connections are cut',
    ),
  postgres: {
    host: (read) =>
      read.optionalString(
        'POSTGRES_HOST',
        'PostgreSQL server; unset means the embedded one (npm start, npm run db:migrate, npm test)',
      ),
    port: (read) => read.port('POSTGRES_PORT', 5432, 1, "the server's port (the embedded one listens here too)"),
    user: (read) => read.string('POSTGRES_USER', 'postgres', 'user'),
    password: (read) => read.string('POSTGRES_PASSWORD', 'postgres', 'password'),
    database: (read) => read.string('POSTGRES_DB', 'postgres', 'database (created in the embedded server if missing)'),
    poolSize: (read) =>
      read.integer(
        'POSTGRES_POOL_SIZE',
        10,
        1,
        1000,
        'connections in the pool; keep it above 2 × POSTGRES_BATCH_MAX_IN_FLIGHT, so pages, listings and ' +
          "keyed creates find a connection while both kinds of batch are in flight. Instances × pool size must fit the server's max_connections",
      ),
    connectTimeoutMs: (read) =>
      read.integer('POSTGRES_CONNECT_TIMEOUT_MS', 5_000, 1, 600_000, 'one connection attempt'),
    statementTimeoutMs: (read) =>
      read.integer(
        'POSTGRES_STATEMENT_TIMEOUT_MS',
        10_000,
        0,
        3_600_000,
        'longest SQL statement, enforced by the server (0: no limit)',
      ),
    queryTimeoutMs: (read) =>
      read.integer(
        'POSTGRES_QUERY_TIMEOUT_MS',
        5_000,
        1,
        3_600_000,
        'client-side deadline on each database call of a request, which also covers a server that ' +
          'accepted and then froze; past it, 503',
      ),
    waitTimeoutMs: (read) =>
      read.integer(
        'POSTGRES_WAIT_TIMEOUT_MS',
        30_000,
        0,
        3_600_000,
        'at start, how long to wait for the database to answer before giving up',
      ),
    waitIntervalMs: (read) => read.integer('POSTGRES_WAIT_INTERVAL_MS', 200, 1, 60_000, 'pause between those attempts'),
    reconnectMaxDelayMs: (read) =>
      read.integer(
        'POSTGRES_RECONNECT_MAX_DELAY_MS',
        500,
        0,
        60_000,
        'longest pause between reconnect attempts of a pool connection after an outage',
      ),
    allowNewerSchema: (read) =>
      read.boolean(
        'POSTGRES_ALLOW_NEWER_SCHEMA',
        false,
        "start even when the database has a migration this code doesn't (applied by a newer version): " +
          'true while a rolling deploy runs old and new side by side; false stops the start in one line',
      ),
    prepare: (read) =>
      read.boolean(
        'POSTGRES_PREPARE',
        true,
        'named prepared statements; false behind PgBouncer in transaction mode (before 1.21), which ' +
          "can't keep them across transactions",
      ),
    sslMode: (read) =>
      read.oneOf(
        'POSTGRES_SSL_MODE',
        SSL_MODES,
        'disable',
        'TLS to PostgreSQL: disable; require (encrypted, certificate not checked); verify-full (the ' +
          'certificate checked against POSTGRES_SSL_CA_FILE and the name against POSTGRES_HOST). Never falls ' +
          'back to plaintext',
      ),
    sslCaFile: (read) =>
      read.optionalString(
        'POSTGRES_SSL_CA_FILE',
        "PEM file of the CA that signed the server's certificate, for verify-full; unset: the system's CAs",
      ),
    batching: {
      maxBatch: (read) =>
        read.integer(
          'POSTGRES_BATCH_MAX_SIZE',
          100,
          1,
          10_000,
          'the most plain creates, or reads by id, that one statement carries; 1 turns coalescing off',
        ),
      maxInFlight: (read) =>
        read.integer(
          'POSTGRES_BATCH_MAX_IN_FLIGHT',
          2,
          1,
          1_000,
          'the most statements of each kind (reads by id, creates) in flight at once; requests beyond ' +
            'them queue and go out together in the next',
        ),
    },
  },
  embeddedPostgres: {
    dataDir: (read) =>
      read.string('EMBEDDED_POSTGRES_DATA_DIR', '.data/postgres', 'data directory of the embedded PostgreSQL'),
    startTimeoutMs: (read) =>
      read.integer(
        'EMBEDDED_POSTGRES_START_TIMEOUT_MS',
        60_000,
        1_000,
        3_600_000,
        'how long the embedded PostgreSQL may take to start or stop',
      ),
    watchIntervalMs: (read) =>
      read.integer(
        'EMBEDDED_POSTGRES_WATCH_INTERVAL_MS',
        1_000,
        0,
        600_000,
        'how often npm start checks that its embedded PostgreSQL is alive, and restarts it if not (0: never)',
      ),
    portWaitMs: (read) =>
      read.integer(
        'EMBEDDED_POSTGRES_PORT_WAIT_MS',
        1_000,
        0,
        600_000,
        'how long a taken POSTGRES_PORT is waited for before npm start stops, naming it (a PostgreSQL just ' +
          'stopped lets go of it within a second)',
      ),
  },
} satisfies Declaration;

export type Config = Resolved<typeof SETTINGS>;
export type PostgresConfig = Config['postgres'];
export type SheddingLimits = Config['shedding'];
export type EmbeddedPostgresConfig = Config['embeddedPostgres'];

/** What a create's body holds besides the contents' own bytes, at the most (see the rule below). */
export const BODY_BEYOND_CONTENTS = 700;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, record?: RecordSetting): Config {
  const config = resolve(SETTINGS, reader(env, record)) as Config;
  const { noteMaxLength, bodyLimitBytes, requestTimeoutMs, headersTimeoutMs } = config;
  // A JSON string can need up to 6 bytes per character ("\u0001"); a limit below
  // that would turn a note of allowed length into a 413. The 700 hold the rest of
  // the body: the keys, and the longest category (100 units, src/notes/schemas.ts) escaped.
  if (bodyLimitBytes < noteMaxLength * 6 + BODY_BEYOND_CONTENTS) {
    throw new ConfigError(
      `BODY_LIMIT_BYTES must be at least 6 × NOTE_MAX_LENGTH + ${BODY_BEYOND_CONTENTS} (= ${noteMaxLength * 6 + BODY_BEYOND_CONTENTS}), got ${bodyLimitBytes}`,
    );
  }
  const { poolSize, batching } = config.postgres;
  if (poolSize <= 2 * batching.maxInFlight) {
    // Both kinds of coalesced statement (reads, creates) may hold a connection each
    // per slot: with no connection left, pages, listings and keyed creates would wait.
    throw new ConfigError(
      `POSTGRES_POOL_SIZE must be above 2 × POSTGRES_BATCH_MAX_IN_FLIGHT (${2 * batching.maxInFlight}), got ${poolSize}`,
    );
  }
  if (headersTimeoutMs > requestTimeoutMs) {
    // Node's own rule: the headers arrive within the time for the whole request.
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got ${headersTimeoutMs}`,
    );
  }
  return deepFreeze(config);
}

/** Reads every declaration, in the order declared (the order the documentation lists them). */
function resolve(declaration: Declaration, read: Read): unknown {
  if (typeof declaration === 'function') return declaration(read);
  return Object.fromEntries(Object.entries(declaration).map(([key, inner]) => [key, resolve(inner, read)]));
}

/** Every setting the service reads, in the order it reads them. */
export function describeSettings(): Setting[] {
  const settings: Setting[] = [];
  loadConfig({}, (setting) => settings.push(setting));
  return settings;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
