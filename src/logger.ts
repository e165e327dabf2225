// The one pino logger of a process. Fastify uses it for request logs, the entries
// for lifecycle lines; the development entry passes a pretty stream for terminals.
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, stream?: DestinationStream): Logger {
  return pino({ level, base: { app: 'notes-service' } }, stream);
}
