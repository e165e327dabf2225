// Admission: which requests the service takes on. Past a limit, a request is
// answered at once with 503 `overloaded` and Retry-After instead of queueing
// behind work the process can't keep up with: @fastify/under-pressure samples the
// event-loop delay and the heap; the requests in flight are counted here (it has
// no such limit). While the service drains before it stops, answers close their
// connections; while the app closes, new requests get 503 `shutting_down` (in
// place of Fastify's own 503, which is outside the error shape). Routes marked
// NEVER_SHED (liveness, metrics) are never shed: an overloaded process is alive,
// and its metrics are how an operator sees why.
import underPressure from '@fastify/under-pressure';
import type { SheddingLimits } from '../config.js';
import type { App } from './app-instance.js';
import { RETRY_AFTER_SECONDS, sendUnavailable } from './errors.js';
import { InFlight } from './in-flight.js';

export type ShedReason = 'event_loop_delay' | 'heap_used' | 'in_flight';

/** Route config for routes that must answer under any load. */
export const NEVER_SHED = { neverShed: true, pressureHandler: () => undefined };

const REASONS: Record<string, ShedReason> = { eventLoopDelay: 'event_loop_delay', heapUsedBytes: 'heap_used' };

export function admitRequests(
  app: App,
  limits: SheddingLimits,
  draining: () => boolean,
  observe: { shed?: (reason: ShedReason) => void; inFlight?: (count: () => number) => void } = {},
): void {
  const overloaded = (reason: ShedReason) => {
    observe.shed?.(reason);
    return `the service is overloaded (${reason.replaceAll('_', ' ')}); retry shortly`;
  };

  app.register(underPressure, {
    maxEventLoopDelay: limits.eventLoopDelayMs,
    maxHeapUsedBytes: limits.heapUsedBytes,
    sampleInterval: limits.sampleIntervalMs,
    // What it returns is sent as the answer (so not sendUnavailable, which sends
    // itself); the route's own pressureHandler (NEVER_SHED's) wins over this one.
    pressureHandler: (_request, reply, type) => {
      reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
      return { error: 'overloaded', message: overloaded(REASONS[type] ?? 'event_loop_delay') } as never;
    },
  });

  const inFlight = new InFlight();
  let closing = false;
  observe.inFlight?.(() => inFlight.size);
  app.addHook('preClose', async () => {
    closing = true;
    // Closing ends the connections idle at this moment. The answers still being
    // worked on end theirs, said in the answer itself: a connection kept alive past
    // them would idle until SHUTDOWN_GRACE_MS cuts it, and ending it silently races
    // the client's next request.
    // An answer whose headers are already out (a streamed listing) said keep-alive:
    // once it ends, its connection is idle, and the server closes only the idle
    // connections of the moment it began closing, so it would wait on that one
    // until the client or SHUTDOWN_GRACE_MS ended it. It is closed as it goes idle.
    for (const response of inFlight.list()) {
      if (!response.headersSent) response.setHeader('connection', 'close');
      else response.once('finish', () => app.server.closeIdleConnections());
    }
  });
  // A callback hook (every request passes it): an answer sent here ends the request without done().
  app.addHook('onRequest', (request, reply, done) => {
    if (closing) {
      reply.header('connection', 'close');
      sendUnavailable(reply, 'shutting_down', 'the service is shutting down; retry shortly');
      return;
    }
    // Draining: served, but on a connection that ends with the answer, so that no
    // idle keep-alive connection is left for a load balancer to reuse just as the
    // listener closes.
    if (draining()) reply.header('connection', 'close');
    if ((request.routeOptions.config as { neverShed?: boolean }).neverShed) return done();
    if (limits.inFlightRequests > 0 && inFlight.size >= limits.inFlightRequests) {
      sendUnavailable(reply, 'overloaded', overloaded('in_flight'));
      return;
    }
    inFlight.add(reply.raw);
    done();
  });
}
