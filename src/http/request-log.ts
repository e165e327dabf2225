// One structured log line per request, and a request id that follows it: taken
// from the caller's X-Request-Id when it is a sane token, generated otherwise, and
// returned in the X-Request-Id response header so a client can quote it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { App } from './app-instance.js';

// Bounded and free of spaces and control characters: a caller can't forge log lines or flood them.
const ACCEPTED_ID = /^[\w.:@/+=-]{1,128}$/;

export function requestId(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : randomUUID();
}

function requestLine(request: FastifyRequest, reply: FastifyReply) {
  return {
    method: request.method,
    route: request.routeOptions.url ?? null, // the pattern (/<resource>/:id/), so lines group by endpoint
    url: request.url,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
  };
}

export function logRequests(app: App): void {
  // Callback hooks, and the line built only when it is written: both run on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Stryker disable next-line ConditionalExpression: below info the line is dropped anyway; this only spares building it
    if ((request.log as Logger).isLevelEnabled('info')) request.log.info(requestLine(request, reply), 'request');
    done();
  });
}

/**
 * Fastify's own request lines are off (logRequests writes one per request), and
 * with them its report of a streamed response cut off after the status line, for
 * which onResponse never runs either. This writes that report as the request's
 * line: an error when the server failed mid-body (the client got a truncated
 * 200), info when the client hung up.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: true, requestIdLogLabel: 'requestId' });
  }

  override streamError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    const line = { ...requestLine(request, reply), cutOff: true };
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      request.log.info(line, 'request: the client closed the connection mid-body');
    } else {
      request.log.error({ ...line, err: error }, 'request: response cut off mid-body');
    }
  }
}
