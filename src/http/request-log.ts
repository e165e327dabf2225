// One structured log line per request, and a request id that follows it: taken
// from the caller's X-Request-Id when it is a sane token, generated otherwise, and
// returned in the X-Request-Id response header so a client can quote it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { App } from '../app.js';

// Bounded and free of spaces and control characters: a caller can't forge log lines or flood them.
const ACCEPTED_ID = /^[\w.:@/+=-]{1,128}$/;

export function requestId(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : randomUUID();
}

export function logRequests(app: App): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null, // the pattern (/notes/:id/), so lines group by endpoint
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}
