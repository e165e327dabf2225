// Which driver errors mean "the database can't be reached right now" (→
// DatabaseUnavailableError, a 503 and retry), as opposed to a bug in a query (→ 500).
import postgres from 'postgres';
import { DatabaseUnavailableError } from '../database-unavailable.js';

// postgres.js connection-level failures, and Node's socket errors it passes through.
const CONNECTION_ERROR_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

// SQLSTATE class 08 (connection exception), the 57P0x of operator intervention
// (shutdown, crash recovery), 53300 too_many_connections, and 57014
// query_canceled: the statement timeout (or a cancel) cut the statement off, a
// slow database rather than a wrong query.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P04', '57014', '53300']);
const isUnavailableSqlState = (code: string) => code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code);

/** query_canceled, which postgres.js also raises itself for a query cancelled before it was sent. */
const QUERY_CANCELED = '57014';

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (error instanceof postgres.PostgresError) return isUnavailableSqlState(error.code);
  const code = (error as { code?: unknown } | null)?.code as string;
  return CONNECTION_ERROR_CODES.has(code) || code === QUERY_CANCELED;
}

/** The error as the layers above see it: DatabaseUnavailableError when it means that, else itself. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isDatabaseUnavailable(error)) return error;
  return new DatabaseUnavailableError((error as Error).message, { cause: error });
}
